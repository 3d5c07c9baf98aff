import CLMDB
import Foundation

/// One LMDB environment (a directory holding data.mdb and lock.mdb) shared by the threads
/// and tasks of this process.
///
/// - Opened with `MDB_NOTLS`: read transactions are not tied to a thread, which suits Swift
///   tasks that hop threads between suspension points.
/// - Open it once per process: LMDB forbids two handles on one environment in one process.
/// - Transactions are closure-scoped (`read`, `write`); a write closure may be re-run after
///   map growth, see `write(_:)`.
///
/// `@unchecked Sendable`: `env` never changes after init and LMDB's environment handle may be used
/// from any thread (read transactions are not tied to one under `MDB_NOTLS`); `databases` and
/// `currentMapSize` are behind `stateLock`, writes behind `writerLock`, and resizing and closing
/// wait in `gate` until no read is active.
public final class LMDBEnvironment: @unchecked Sendable {
    /// The environment directory.
    public let path: String
    /// Stale reader slots (of crashed processes) cleared by `mdb_reader_check` at open.
    public let staleReadersCleared: Int
    /// Growth stops here; a write that still does not fit fails with `MDB_MAP_FULL`.
    public let maxMapSize: Int

    let env: OpaquePointer
    let gate = TransactionGate()
    /// The single writer (LMDB allows one write transaction at a time anyway; this keeps
    /// the waiting in Swift and lets map growth run between transactions).
    let writerLock = NSLock()
    private let stateLock = NSLock()
    private var databases: [String: LMDBDatabase] = [:]
    private var currentMapSize: Int

    /// Opens (creating if needed) the environment in directory `path`.
    ///
    /// - Parameters:
    ///   - maxDatabases: named databases the environment may hold.
    ///   - mapSize: initial map size in bytes (rounded up to the page size); it doubles on
    ///     `MDB_MAP_FULL` up to `maxMapSize`. An existing larger map is kept.
    ///   - maxReaders: reader slots (concurrent read transactions across processes).
    public init(
        path: String, maxDatabases: Int = 16, mapSize: Int = 64 << 20,
        maxReaders: Int = 126, maxMapSize: Int = 64 << 30
    ) throws {
        self.path = path
        self.maxMapSize = maxMapSize
        try Self.makeDirectory(path)

        var envPointer: OpaquePointer?
        try check(mdb_env_create(&envPointer), "mdb_env_create", path: path)
        guard let env = envPointer else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create", path: path) }
        do {
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let rounded = (max(mapSize, page) + page - 1) / page * page
            // An existing environment keeps the size it grew to (0 adopts the stored size; an
            // explicit smaller one would be cut to the used size and grow all over again).
            let exists = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("data.mdb"))
            try check(mdb_env_set_mapsize(env, exists ? 0 : rounded), "mdb_env_set_mapsize", path: path)
            try check(mdb_env_set_maxdbs(env, MDB_dbi(maxDatabases)), "mdb_env_set_maxdbs", path: path)
            try check(mdb_env_set_maxreaders(env, UInt32(maxReaders)), "mdb_env_set_maxreaders", path: path)
            try check(mdb_env_open(env, path, UInt32(MDB_NOTLS), 0o640), "mdb_env_open", path: path)
            if Self.info(env).mapSize < rounded {
                // No transaction is active yet, as mdb_env_set_mapsize requires.
                try check(mdb_env_set_mapsize(env, rounded), "mdb_env_set_mapsize", path: path)
            }
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead), "mdb_reader_check", path: path)
            staleReadersCleared = Int(dead)
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.env = env
        self.currentMapSize = Self.info(env).mapSize
    }

    deinit {
        if !gate.closed { mdb_env_close(env) }
    }

    /// Closes the environment after the running transactions finish; later calls throw.
    /// Database handles become invalid.
    public func close() {
        writerLock.lock()
        defer { writerLock.unlock() }
        if gate.closed { return }
        gate.exclusive(closing: true) { mdb_env_close(env) }
    }

    /// The current map size in bytes (grows on `MDB_MAP_FULL`).
    public var mapSize: Int {
        stateLock.lock()
        defer { stateLock.unlock() }
        return currentMapSize
    }

    /// Flushes the data to disk (`mdb_env_sync` forced). Commits already sync; this is for
    /// shutdown paths and environments opened with relaxed durability.
    public func sync() throws {
        try gate.enterReader(path: path)
        defer { gate.leaveReader() }
        try check(mdb_env_sync(env, 1), "mdb_env_sync", path: path)
    }

    /// The named database `name`, created if missing, cached after the first call.
    ///
    /// Call it outside transactions (it runs its own write transaction), typically once at
    /// startup.
    public func database(_ name: String) throws -> LMDBDatabase {
        stateLock.lock()
        let cached = databases[name]
        stateLock.unlock()
        if let cached { return cached }
        let db = try write { tx in
            var dbi: MDB_dbi = 0
            try check(mdb_dbi_open(tx.txn, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open(\(name))", path: path)
            return LMDBDatabase(handle: dbi, name: name)
        }
        stateLock.lock()
        databases[name] = db
        stateLock.unlock()
        return db
    }

    func setCurrentMapSize(_ size: Int) {
        stateLock.lock()
        currentMapSize = size
        stateLock.unlock()
    }

    static func info(_ env: OpaquePointer) -> (mapSize: Int, lastPage: Int) {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return (Int(info.me_mapsize), Int(info.me_last_pgno))
    }

    /// Creates the directory (and parents) with mode 0750: the daemon's user and its group
    /// (operators running mdb_stat) may read it, nobody else.
    private static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue {
                throw LMDBError(code: ENOTDIR, operation: "open", path: path, detail: "the path is not a directory")
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent) {
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        if mkdir(path, 0o750) != 0 && errno != EEXIST {
            throw LMDBError(code: errno, operation: "mkdir", path: path, detail: "cannot create the directory")
        }
    }
}
