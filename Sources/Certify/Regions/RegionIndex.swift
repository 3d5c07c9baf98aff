import CertCore

/// One issued region of the storage-update store (METHOD.md §2.7): the input, the label and the
/// radius reported for it.
public struct IndexedRegion: Sendable, Equatable {
    /// Lowercase hex SHA-256 of the input file: the name a conflict is reported by.
    public var sha256: String
    /// The label issued (after the storage-update).
    public var label: Int
    /// The radius issued, R ≥ 0 and finite (`RegionIndex.append` requires it).
    public var radius: Double
    /// The flattened input, D values.
    public var input: [Float]

    /// A region from its fields.
    public init(sha256: String, label: Int, radius: Double, input: [Float]) {
        self.sha256 = sha256; self.label = label; self.radius = radius; self.input = input
    }
}

/// The storage-update's index of every issued region, in commit order (position 0 first).
///
/// What it keeps per region is what the screen needs: `rank` float32 features of a fixed
/// projection (`RegionProjection`), their squared norm, a float32 upper bound of the radius
/// and the position, grouped by label (only regions of another label can conflict) in blocks of
/// `blockSize`: 4·(rank + 3) bytes, 140 at rank 32. The exact radius and input, read only for
/// the regions that survive the screen, come from the `archive` (the LMDB store, through its
/// map). Regions the archive does not hold yet — a micro-batch being decided, or every region
/// of an index without an archive (eval without --store) — are kept whole in RAM ("resident").
///
/// The guarantee (see `StorageUpdate`): decisions are exactly those of comparing the input with
/// every stored region by the exact float64 distance; the screen only skips regions it proves
/// out of reach (`RegionScreen`), so they do not depend on the projection, the BLAS kernel or
/// the thread count. The projection's seed is its only randomness (`projection.seed`).
public final class RegionIndex {
    /// Regions per feature block: one product per block and batch, a bounded tail of waste.
    static let blockSize = 1024

    /// D, values per region and input (> 0).
    public let dimension: Int
    /// The screen's projection; a refit replaces it (no decision depends on it).
    public internal(set) var projection: RegionProjection
    /// Where regions before `residentStart` are read from; nil keeps every region resident.
    public let archive: (any RegionArchive)?
    /// Regions indexed, archived and resident: the next position.
    public internal(set) var count = 0
    /// Positions >= this are held whole in `resident` (0 without an archive).
    public internal(set) var residentStart = 0
    var resident: [IndexedRegion] = []
    /// One per label seen, sorted by label.
    var partitions: [LabelPartition] = []
    /// >= ||x_j|| for every region indexed (the screen's feature error grows with it).
    var maxNorm = 0.0

    /// An empty index that keeps every region resident (no archive).
    public init(dimension: Int) {
        precondition(dimension > 0, "region dimension must be positive")
        self.dimension = dimension
        projection = .random(dimension: dimension)
        archive = nil
    }

    /// An in-memory index of `regions`, in commit order.
    public convenience init(dimension: Int, regions: [IndexedRegion]) {
        self.init(dimension: dimension)
        for r in regions { append(r) }
    }

    init(dimension: Int, projection: RegionProjection, archive: (any RegionArchive)?) {
        precondition(dimension > 0, "region dimension must be positive")
        self.dimension = dimension
        self.projection = projection
        self.archive = archive
    }

    /// Appends a region, kept resident until `markPersisted`.
    public func append(_ r: IndexedRegion) {
        precondition(r.input.count == dimension, "region input has \(r.input.count) values, index expects \(dimension)")
        precondition(r.radius >= 0 && r.radius.isFinite, "stored radii are finite and non-negative")
        let projected = r.input.withUnsafeBufferPointer { projection.features($0) }
        noteNorm(of: r.input.withUnsafeBufferPointer { Self.norm($0) })
        insert(position: count, label: r.label, radius: r.radius, features: projected.features, nu: projected.squaredNorm)
        resident.append(r)
        count += 1
    }

    /// The archive now holds every region: drop the resident copies (a commit went through).
    public func markPersisted() {
        precondition(archive != nil, "an index without an archive keeps its regions")
        resident.removeAll()
        residentStart = count
    }

    /// Drops the regions after the first `count` (a commit that failed takes its regions back).
    /// Only resident regions can be dropped.
    public func truncate(to count: Int) {
        precondition(count >= residentStart && count <= self.count, "only regions not yet persisted can be taken back")
        for p in partitions.indices { partitions[p].removeRows(from: count) }
        partitions.removeAll { $0.blocks.isEmpty }
        resident.removeLast(self.count - count)
        self.count = count
    }

    /// The record at `position` (resident, or read from `reader`), with its hash.
    public func region(at position: Int, reader: (any RegionArchiveReader)? = nil) throws -> IndexedRegion {
        precondition(position >= 0 && position < count)
        if position >= residentStart { return resident[position - residentStart] }
        guard let reader else { preconditionFailure("region \(position) is archived: pass a reader") }
        return try reader.withRegion(at: position) { a in
            IndexedRegion(
                sha256: try reader.sha256(at: position), label: a.label, radius: a.radius,
                input: (0..<dimension).map(a.value))
        }
    }

    /// Bytes held for the screen (feature blocks) and for resident regions.
    public var memoryBytes: Int {
        let blocks = partitions.reduce(0) { $0 + $1.blocks.reduce(0) { $0 + $1.bytes } }
        return blocks + resident.count * (4 * dimension + 96)
    }

    /// Runs `body` with a reader of the archive (one snapshot), or nil without one.
    func withReader<T>(_ body: ((any RegionArchiveReader)?) throws -> T) throws -> T {
        guard let archive, residentStart > 0 else { return try body(nil) }
        return try archive.read { try body($0) }
    }

    var screen: RegionScreen { RegionScreen(projection: projection, maxNorm: maxNorm) }

    func noteNorm(of norm: Double) { maxNorm = max(maxNorm, norm * (1 + 1e-12)) }

    /// ||x|| in float64 (any order: it only feeds a bound with slack).
    static func norm(_ x: UnsafeBufferPointer<Float>) -> Double {
        var s = 0.0
        for v in x { s += Double(v) * Double(v) }
        return s.squareRoot()
    }

    func insert(position: Int, label: Int, radius: Double, features: UnsafeBufferPointer<Float>, nu: Double) {
        let slot: Int
        if let i = partitions.firstIndex(where: { $0.label == label }) {
            slot = i
        } else {
            slot = partitions.firstIndex(where: { $0.label > label }) ?? partitions.count
            partitions.insert(LabelPartition(label: label), at: slot)
        }
        partitions[slot].append(
            position: position, features: features, nu: Float(nu),
            radiusBound: RegionScreen.radiusBound(radius), rank: projection.rank)
    }

    func insert(position: Int, label: Int, radius: Double, features: [Float], nu: Double) {
        features.withUnsafeBufferPointer { insert(position: position, label: label, radius: radius, features: $0, nu: nu) }
    }
}
