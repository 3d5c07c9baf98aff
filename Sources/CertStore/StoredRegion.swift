/// One issued certified region (x, label, R) of the storage-update store (METHOD.md §2.7).
public struct StoredRegion: Equatable, Sendable {
    /// Commit order, from 1.
    public var sequence: UInt64
    /// Lowercase hex of the input file's SHA-256.
    public var sha256: String
    /// The label the region was issued for (after the storage-update).
    public var label: Int
    /// The region's radius R ≥ 0 (L2, in pixel units); 0 for an input that was not certified.
    public var radius: Double
    /// ||x||², cached so distances cost one dot product each.
    public var squaredNorm: Double
    /// The flattened input.
    public var input: [Float]

    /// A region from its fields (`RegionEncoding.decode` makes them from records).
    public init(sequence: UInt64, sha256: String, label: Int, radius: Double, squaredNorm: Double, input: [Float]) {
        self.sequence = sequence
        self.sha256 = sha256
        self.label = label
        self.radius = radius
        self.squaredNorm = squaredNorm
        self.input = input
    }
}
