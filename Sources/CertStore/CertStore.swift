import Foundation

/// The daemon's persistent state for one model set (DESIGN 4): one LMDB environment with
/// the named databases
///
/// - `meta`: `schema_version` ("1") and `model_set` (the model-set id), as UTF-8 text;
/// - `verdicts`: sha256 hex → verdict JSON bytes;
/// - `sigmas`: "<modelSetID>/<sha256 hex>" → `StoredSigma` JSON;
/// - `regions`: sequence (`BigEndianUInt64`) → `RegionRecord` bytes, the storage-update store;
/// - `arrivals`: sequence (`BigEndianUInt64`) → sha256 hex, the arrival-order index.
///
/// Sequences start at 1 and follow commit order. Every write is one transaction; use
/// `batch` to group several writes into one commit.
public final class CertStore: @unchecked Sendable {
    public static let schemaVersion = 1

    public let environment: LMDBEnvironment
    public let modelSetID: String
    public var directory: String { environment.path }

    let meta: LMDBDatabase
    let verdicts: LMDBDatabase
    let sigmas: LMDBDatabase
    let regionsDB: LMDBDatabase
    let arrivals: LMDBDatabase

    static let schemaKey = "schema_version"
    static let modelSetKey = "model_set"

    private init(environment: LMDBEnvironment, modelSetID: String) throws {
        self.environment = environment
        self.modelSetID = modelSetID
        meta = try environment.database("meta")
        verdicts = try environment.database("verdicts")
        sigmas = try environment.database("sigmas")
        regionsDB = try environment.database("regions")
        arrivals = try environment.database("arrivals")
    }

    /// Opens the store in `directory` (created if needed) for `modelSetID`.
    ///
    /// The first open records the schema version and the model set; later opens refuse a
    /// different model set (`CertStoreError.modelSetMismatch`) or schema version.
    public static func open(directory: String, modelSetID: String, mapSize: Int = 64 << 20,
                            maxMapSize: Int = 64 << 30) throws -> CertStore {
        let env = try LMDBEnvironment(path: directory, maxDatabases: 16, mapSize: mapSize, maxMapSize: maxMapSize)
        do {
            let store = try CertStore(environment: env, modelSetID: modelSetID)
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
            let stored = try tx.get(meta, key: Self.modelSetKey).map { String(decoding: $0, as: UTF8.self) }
            let schema = try tx.get(meta, key: Self.schemaKey).map { String(decoding: $0, as: UTF8.self) }
            if let schema, schema != String(Self.schemaVersion) {
                throw CertStoreError.unsupportedSchema(found: schema, supported: Self.schemaVersion, directory: directory)
            }
            if let stored {
                if stored != modelSetID {
                    throw CertStoreError.modelSetMismatch(stored: stored, requested: modelSetID, directory: directory)
                }
                return
            }
            try tx.put(meta, key: Self.schemaKey, value: Array(String(Self.schemaVersion).utf8))
            try tx.put(meta, key: Self.modelSetKey, value: Array(modelSetID.utf8))
        }
    }

    func sigmaKey(_ sha256: String) throws -> String {
        "\(modelSetID)/\(try SHA256Hex.normalized(sha256))"
    }
}
