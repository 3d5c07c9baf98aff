import CLMDB

/// The write transaction given to `LMDBEnvironment.write`: reads see its own changes.
public final class WriteTransaction: ReadTransaction {
    /// Set when LMDB reported MDB_MAP_FULL, so `write` grows the map and reruns the closure
    /// even if the closure caught the error.
    private(set) var sawMapFull = false

    override func noteFailure(_ rc: Int32) {
        if rc == MDB_MAP_FULL { sawMapFull = true }
    }

    /// Stores `value` under `key`. Returns false (and writes nothing) when `noOverwrite` is
    /// set and the key exists.
    @discardableResult
    public func put(_ db: LMDBDatabase, key: some LMDBKey, value: [UInt8], noOverwrite: Bool = false) throws -> Bool {
        try ensureValid()
        let flags = noOverwrite ? UInt32(MDB_NOOVERWRITE) : 0
        let rc = key.lmdbBytes.withMDBVal { k in
            value.withMDBVal { v in mdb_put(txn, db.handle, &k, &v, flags) }
        }
        if rc == MDB_KEYEXIST && noOverwrite { return false }
        try fail(rc, "mdb_put", db)
        return true
    }

    /// Removes `key`. Returns false when it was not there.
    @discardableResult
    public func delete(_ db: LMDBDatabase, key: some LMDBKey) throws -> Bool {
        try ensureValid()
        let rc = key.lmdbBytes.withMDBVal { k in mdb_del(txn, db.handle, &k, nil) }
        if rc == MDB_NOTFOUND { return false }
        try fail(rc, "mdb_del", db)
        return true
    }
}
