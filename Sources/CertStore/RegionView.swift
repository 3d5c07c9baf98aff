/// A stored region read in place from the map (no copy of its input): valid only inside the
/// closure that received it. The storage-update reads the few regions that survive its screen
/// this way, and streams the whole store through it at start.
public struct RegionView {
    /// Commit order, from 1 (the record's key).
    public let sequence: UInt64
    /// The label the region was issued for (after the storage-update).
    public let label: Int
    /// The region's radius R ≥ 0 (L2, in pixel units).
    public let radius: Double
    /// ||x||² as stored, summed in Double when the region was written.
    public let squaredNorm: Double
    /// The 32 raw bytes of the input file's SHA-256.
    public let sha256Bytes: UnsafeRawBufferPointer
    /// The input: `inputCount` float32 values, little-endian, at any alignment.
    public let input: UnsafeRawBufferPointer

    /// Values in `input` (its bytes / 4).
    public var inputCount: Int { input.count / 4 }
    /// Lowercase hex of the SHA-256.
    public var sha256: String { SHA256Hex.text(sha256Bytes) }

    /// A copy, for callers that keep it.
    public var stored: StoredRegion {
        let values = (0..<inputCount).map { i in
            Float(bitPattern: UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
        return StoredRegion(sequence: sequence, sha256: sha256, label: label, radius: radius, squaredNorm: squaredNorm, input: values)
    }
}

extension RegionEncoding {
    /// The record of `sequence` in place; a torn or foreign value is `corruptRecord`.
    static func view(_ bytes: UnsafeRawBufferPointer, sequence: UInt64) throws -> RegionView {
        func corrupt(_ reason: String) -> CertStoreError {
            .corruptRecord(database: "regions", key: String(sequence), reason: reason)
        }
        guard bytes.count >= headerSize else { throw corrupt("\(bytes.count) bytes, shorter than the 52-byte header") }
        guard (bytes.count - headerSize) % 4 == 0 else { throw corrupt("input length \(bytes.count - headerSize) is not a multiple of 4") }
        func load<T: FixedWidthInteger>(_ offset: Int, as _: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        return RegionView(
            sequence: sequence,
            label: Int(Int32(bitPattern: load(32, as: UInt32.self))),
            radius: Double(bitPattern: load(36, as: UInt64.self)),
            squaredNorm: Double(bitPattern: load(44, as: UInt64.self)),
            sha256Bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<32]),
            input: UnsafeRawBufferPointer(rebasing: bytes[headerSize...]))
    }
}

extension CertStore {
    /// Random access to regions by sequence inside one read snapshot (`readRegions`).
    public struct RegionReader {
        let store: CertStore
        let transaction: ReadTransaction

        /// Lends the region `sequence` to `body`, or nil when there is none.
        public func withRegion<T>(sequence: UInt64, _ body: (RegionView) throws -> T) throws -> T? {
            try transaction.withValue(store.regionsDB, key: BigEndianUInt64(sequence)) { bytes in
                guard let bytes else { return nil }
                return try body(try RegionEncoding.view(bytes, sequence: sequence))
            }
        }
    }

    /// Runs `body` in one read snapshot of the regions.
    public func readRegions<T>(_ body: (RegionReader) throws -> T) throws -> T {
        try environment.read { try body(RegionReader(store: self, transaction: $0)) }
    }

    /// Calls `body` for every region with a sequence >= `from`, in sequence order, in place.
    /// The walk takes one read snapshot per `chunk` regions, so a long one does not pin old
    /// pages for long; regions committed meanwhile are walked too.
    public func forEachRegion(from: UInt64 = 1, chunk: Int = 65_536, _ body: (RegionView) throws -> Void) throws {
        var next = from, finished = false
        while !finished {
            var seen = 0
            try environment.read { tx in
                try tx.forEachUnsafe(regionsDB, from: BigEndianUInt64(next)) { key, value in
                    guard key.count == 8 else {
                        throw CertStoreError.corruptRecord(database: "regions", key: SHA256Hex.text(key), reason: "key is not 8 bytes")
                    }
                    let seq = key.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
                    try body(try RegionEncoding.view(value, sequence: seq))
                    seen += 1
                    guard seq < UInt64.max else { finished = true; return false }
                    next = seq + 1
                    return seen < chunk
                }
            }
            if seen < chunk { finished = true }
        }
    }
}
