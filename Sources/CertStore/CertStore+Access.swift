/// One-shot reads and writes, each its own transaction.
extension CertStore {
    /// Stores `json` as the verdict of `sha256` (any case; stored lowercase), replacing an earlier
    /// one. Throws `CertStoreError.invalidSHA256` or `LMDBError`.
    public func putVerdict(sha256: String, json: [UInt8]) throws {
        try batch { try $0.putVerdict(sha256: sha256, json: json) }
    }

    /// The verdict JSON stored for `sha256`, or nil. Throws `CertStoreError.invalidSHA256` for a
    /// malformed hash.
    public func getVerdict(sha256: String) throws -> [UInt8]? {
        let key = try SHA256Hex.normalized(sha256)
        return try environment.read { try $0.get(verdicts, key: key) }
    }

    /// Stores the sigma of `sha256` under this store's model set, replacing an earlier one.
    public func putSigma(sha256: String, _ sigma: StoredSigma) throws {
        try batch { try $0.putSigma(sha256: sha256, sigma) }
    }

    /// The sigma stored for `sha256` under this store's model set, or nil.
    public func getSigma(sha256: String) throws -> StoredSigma? {
        let key = try sigmaKey(sha256)
        return try environment.read { try $0.getJSON(sigmas, key: key, as: StoredSigma.self) }
    }

    /// Appends one region after the last (see `Batch.appendRegion`) and returns its sequence.
    /// Throws `CertStoreError.labelOutOfRange` for a label outside Int32.
    @discardableResult
    public func appendRegion(sha256: String, label: Int, radius: Double, input: [Float]) throws -> UInt64 {
        var sequence: UInt64 = 0
        try batch { sequence = try $0.appendRegion(sha256: sha256, label: label, radius: radius, input: input) }
        return sequence
    }

    /// Every stored region, in sequence (commit) order, copied out.
    public func regions() throws -> [StoredRegion] {
        var out: [StoredRegion] = []
        try forEachRegion { out.append($0.stored) }
        return out
    }

    /// The number of stored regions.
    public func regionCount() throws -> Int {
        try environment.read { try $0.count(regionsDB) }
    }

    /// Appends `sha256` to the arrival-order index and returns its sequence (from 1).
    @discardableResult
    public func appendArrival(sha256: String) throws -> UInt64 {
        var sequence: UInt64 = 0
        try batch { sequence = try $0.appendArrival(sha256: sha256) }
        return sequence
    }

    /// Up to `limit` arrivals with a sequence greater than `after`, in order (`after: 0`
    /// starts at the beginning; pass the last sequence seen to page on).
    public func listArrivals(after: UInt64, limit: Int) throws -> [(UInt64, String)] {
        guard limit > 0, after < UInt64.max else { return [] }
        return try environment.read { tx in
            var out: [(UInt64, String)] = []
            try tx.forEach(arrivals, from: BigEndianUInt64(after + 1)) { key, value in
                guard let seq = BigEndianUInt64(lmdbBytes: key) else {
                    throw CertStoreError.corruptRecord(database: "arrivals", key: SHA256Hex.text(key), reason: "key is not 8 bytes")
                }
                out.append((seq.value, String(decoding: value, as: UTF8.self)))
                return out.count < limit
            }
            return out
        }
    }
}
