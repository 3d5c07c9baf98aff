import Foundation

/// The daemon's persistent state for one model set and one certificate kind (CONTRACTS.md §4): one
/// LMDB environment with the named databases
///
/// - `meta`, as UTF-8 text: `schema_version` ("2"), `model_set` (the model-set id) and
///   `certificate_kind` (the kind's named fields — mode, bound, alpha, sigma options, ... —
///   as canonical JSON, see `canonicalJSON`); all three are written by the first open;
/// - `verdicts`: sha256 hex → verdict JSON bytes;
/// - `sigmas`: "<modelSetID>/<sha256 hex>" → `StoredSigma` JSON;
/// - `regions`: sequence (`BigEndianUInt64`) → `RegionEncoding` bytes, the storage-update store;
/// - `arrivals`: sequence (`BigEndianUInt64`) → sha256 hex, the arrival-order index.
///
/// Sequences start at 1 and follow commit order. Every write is one transaction; use
/// `batch` to group several writes into one commit.
///
/// Verdicts of different kinds are not interchangeable, so a store holds one kind: opening
/// it with another kind (or model set) is refused, and so is a schema-1 store, which did not
/// record its kind. The daemon keeps one store per kind (see `kindDigest`).
///
/// `@unchecked Sendable`: immutable after `open` (every stored property is a `let`); all access
/// goes through `environment`, which is itself safe to share.
public final class CertStore: @unchecked Sendable {
    /// The `schema_version` this build writes and reads: 2 (1 did not record the kind).
    public static let schemaVersion = 2

    /// The environment holding the five databases.
    public let environment: LMDBEnvironment
    /// The model set whose verdicts this store holds (`ModelSet.id`).
    public let modelSetID: String
    /// The certificate kind of every verdict in this store (recorded at creation).
    public let kind: [String: String]
    /// The environment's directory.
    public var directory: String { environment.path }

    let meta: LMDBDatabase
    let verdicts: LMDBDatabase
    let sigmas: LMDBDatabase
    let regionsDB: LMDBDatabase
    let arrivals: LMDBDatabase

    static let schemaKey = "schema_version"
    static let modelSetKey = "model_set"
    static let kindKey = "certificate_kind"

    private init(environment: LMDBEnvironment, modelSetID: String, kind: [String: String]) throws {
        self.environment = environment
        self.modelSetID = modelSetID
        self.kind = kind
        meta = try environment.database("meta")
        verdicts = try environment.database("verdicts")
        sigmas = try environment.database("sigmas")
        regionsDB = try environment.database("regions")
        arrivals = try environment.database("arrivals")
    }

    /// Opens the store in `directory` (created if needed) for `modelSetID` and `kind`.
    ///
    /// `kind` is a flat map of named fields chosen by the caller, e.g. `["mode": "sound",
    /// "bound": "betting", "alpha": "0.001", "sigma_rule": "search", "sigma_seed": "0"]`.
    /// The first open records the schema version, the model set and the kind; later opens
    /// refuse a different model set (`CertStoreError.modelSetMismatch`), a kind that differs
    /// in any field (`.kindMismatch`, also for a field only one side has), a store of an
    /// older schema (`.olderSchema`) and an unknown schema (`.unsupportedSchema`).
    public static func open(
        directory: String, modelSetID: String, kind: [String: String],
        mapSize: Int = 64 << 20, maxMapSize: Int = 64 << 30
    ) throws -> CertStore {
        let env = try LMDBEnvironment(path: directory, maxDatabases: 16, mapSize: mapSize, maxMapSize: maxMapSize)
        do {
            let store = try CertStore(environment: env, modelSetID: modelSetID, kind: kind)
            try store.checkOrCreateMeta()
            return store
        } catch {
            env.close()
            throw error
        }
    }

    /// Closes the environment; the store is unusable afterwards.
    public func close() { environment.close() }

    private func checkOrCreateMeta() throws {
        try environment.write { tx in
            func text(_ key: String) throws -> String? {
                try tx.get(meta, key: key).map { String(decoding: $0, as: UTF8.self) }
            }
            func missing(_ key: String) -> CertStoreError {
                .corruptRecord(database: "meta", key: key, reason: "missing (the store's meta database is incomplete)")
            }
            guard let schema = try text(Self.schemaKey) else {
                // A new environment; meta keys without a schema version are not one we made.
                if try tx.count(meta) > 0 { throw missing(Self.schemaKey) }
                try tx.put(meta, key: Self.schemaKey, value: Array(String(Self.schemaVersion).utf8))
                try tx.put(meta, key: Self.modelSetKey, value: Array(modelSetID.utf8))
                try tx.put(meta, key: Self.kindKey, value: Array(Self.canonicalJSON(kind).utf8))
                return
            }
            if schema != String(Self.schemaVersion) {
                if let found = Int(schema), found >= 1, found < Self.schemaVersion {
                    throw CertStoreError.olderSchema(found: schema, directory: directory)
                }
                throw CertStoreError.unsupportedSchema(found: schema, supported: Self.schemaVersion, directory: directory)
            }
            guard let stored = try text(Self.modelSetKey) else { throw missing(Self.modelSetKey) }
            if stored != modelSetID {
                throw CertStoreError.modelSetMismatch(stored: stored, requested: modelSetID, directory: directory)
            }
            guard let kindBytes = try tx.get(meta, key: Self.kindKey) else { throw missing(Self.kindKey) }
            guard let storedKind = try? JSONDecoder().decode([String: String].self, from: Data(kindBytes)) else {
                throw CertStoreError.corruptRecord(
                    database: "meta", key: Self.kindKey,
                    reason: "not a JSON object of strings: \(String(decoding: kindBytes, as: UTF8.self))")
            }
            if storedKind != kind {
                throw CertStoreError.kindMismatch(stored: storedKind, requested: kind, directory: directory)
            }
        }
    }

    func sigmaKey(_ sha256: String) throws -> String {
        "\(modelSetID)/\(try SHA256Hex.normalized(sha256))"
    }
}
