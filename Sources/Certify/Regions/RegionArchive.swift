/// Where a `RegionIndex` reads the exact records it does not keep in RAM: a persistent store
/// (CertLedger adapts the LMDB one), read through one snapshot per decision or batch. The index
/// keeps only what the screen needs; the exact radius and input of the few regions that
/// survive the screen are read here, and the hash of the one the rule picks.
///
/// Positions are 0-based commit order: the region committed n-th has position n − 1.
public protocol RegionArchive: AnyObject {
    /// How many regions the archive holds.
    func count() throws -> Int
    /// Calls `body` for every region in commit order (positions 0, 1, 2, …), zero-copy; the
    /// archive may split the walk over several snapshots.
    func forEach(_ body: (_ position: Int, ArchivedRegion) throws -> Void) throws
    /// Runs `body` with a reader valid only during the call (one consistent snapshot).
    func read<T>(_ body: (any RegionArchiveReader) throws -> T) throws -> T
}

/// Random access to one snapshot of a `RegionArchive`, by position; valid only inside
/// `RegionArchive.read`'s closure.
public protocol RegionArchiveReader {
    /// Lends the record at `position` to `body` (its input is valid only during the call).
    func withRegion<T>(at position: Int, _ body: (ArchivedRegion) throws -> T) throws -> T
    /// The lowercase hex SHA-256 of the input of the region at `position`.
    func sha256(at position: Int) throws -> String
}

/// A stored region as the archive lends it: `input` holds D float32 values, little-endian, at
/// any alignment (LMDB hands out pointers into its map).
public struct ArchivedRegion {
    /// The label the region is stored under.
    public var label: Int
    /// R_j as stored (≥ 0).
    public var radius: Double
    /// The input's bytes, 4 a value; valid only during the call that lent the region.
    public var input: UnsafeRawBufferPointer

    /// A region from its fields; `input` is not copied.
    public init(label: Int, radius: Double, input: UnsafeRawBufferPointer) {
        self.label = label; self.radius = radius; self.input = input
    }

    /// Value `i` of the input.
    @inline(__always)
    public func value(_ i: Int) -> Float { values[i] }

    var values: LittleEndianFloats { LittleEndianFloats(raw: input) }
}

/// An input's values as the index reads them: resident `[Float]` or an archive's bytes.
protocol RegionValues {
    var count: Int { get }
    subscript(_ i: Int) -> Float { get }
}

extension UnsafeBufferPointer<Float>: RegionValues {}

/// Float32 values stored little-endian at any alignment.
struct LittleEndianFloats: RegionValues {
    let raw: UnsafeRawBufferPointer
    var count: Int { raw.count / 4 }
    @inline(__always)
    subscript(_ i: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
    }
}
