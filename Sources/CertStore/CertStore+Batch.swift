extension CertStore {
    /// Writes inside one transaction (see `CertStore.batch`). Valid only inside the closure.
    public struct Batch {
        let store: CertStore
        /// The underlying transaction, for reads that see this batch's own writes.
        public let transaction: WriteTransaction

        /// Stores a verdict (see `CertStore.putVerdict`), in this batch.
        public func putVerdict(sha256: String, json: [UInt8]) throws {
            try transaction.put(store.verdicts, key: try SHA256Hex.normalized(sha256), value: json)
        }

        /// Stores a sigma (see `CertStore.putSigma`), in this batch.
        public func putSigma(sha256: String, _ sigma: StoredSigma) throws {
            try transaction.putJSON(store.sigmas, key: try store.sigmaKey(sha256), value: sigma)
        }

        /// Appends a region after the last one and returns its sequence.
        @discardableResult
        public func appendRegion(sha256: String, label: Int, radius: Double, input: [Float]) throws -> UInt64 {
            guard let label32 = Int32(exactly: label) else { throw CertStoreError.labelOutOfRange(label) }
            let record = RegionEncoding.encode(
                sha256: try SHA256Hex.bytes(sha256), label: label32, radius: radius,
                squaredNorm: RegionEncoding.squaredNorm(input), input: input)
            return try append(record, to: store.regionsDB)
        }

        /// Appends `sha256` to the arrival-order index and returns its sequence.
        @discardableResult
        public func appendArrival(sha256: String) throws -> UInt64 {
            try append(Array(try SHA256Hex.normalized(sha256).utf8), to: store.arrivals)
        }

        /// The next sequence is the last key + 1, read in this transaction: the single
        /// writer makes it race-free, and a rerun after map growth recomputes it.
        private func append(_ value: [UInt8], to db: LMDBDatabase) throws -> UInt64 {
            var next: UInt64 = 1
            if let last = try transaction.last(db) {
                guard let seq = BigEndianUInt64(lmdbBytes: last.key) else {
                    throw CertStoreError.corruptRecord(database: db.name, key: SHA256Hex.text(last.key), reason: "key is not 8 bytes")
                }
                next = seq.value + 1
            }
            try transaction.put(db, key: BigEndianUInt64(next), value: value, noOverwrite: true)
            return next
        }
    }

    /// Runs several writes in one transaction: one commit (one fsync) for all of them, and
    /// all or nothing. `body` may be rerun after map growth, so keep it free of outside
    /// effects (see `LMDBEnvironment.write`).
    public func batch(_ body: (Batch) throws -> Void) throws {
        try environment.write { tx in try body(Batch(store: self, transaction: tx)) }
    }
}
