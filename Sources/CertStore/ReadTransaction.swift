import CLMDB
import Foundation

/// A read-only snapshot, valid only inside the closure given to `LMDBEnvironment.read`
/// (or `write`, whose transaction is a `ReadTransaction` too). Values are copied out of the
/// map, so they stay valid after the transaction ends.
public class ReadTransaction {
    let txn: OpaquePointer
    unowned let environment: LMDBEnvironment
    private var valid = true

    init(txn: OpaquePointer, environment: LMDBEnvironment) {
        self.txn = txn
        self.environment = environment
    }

    func invalidate() { valid = false }

    /// Throws instead of touching a freed transaction when a reference escaped its closure.
    func ensureValid() throws {
        if !valid {
            throw LMDBError(
                code: EINVAL, operation: "transaction", path: environment.path,
                detail: "the transaction was used after its closure returned")
        }
    }

    /// The value stored under `key`, or nil.
    public func get(_ db: LMDBDatabase, key: some LMDBKey) throws -> [UInt8]? {
        try withValue(db, key: key) { $0.map { Array($0) } }
    }

    /// Calls `body` with each (key, value) in key order, starting at the first key `>= from`
    /// (or the first key), until `body` returns false.
    public func forEach(
        _ db: LMDBDatabase, from key: (any LMDBKey)? = nil,
        _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool
    ) throws {
        try forEachUnsafe(db, from: key) { k, v in try body(Array(k), Array(v)) }
    }

    /// Lends the value under `key` to `body` without copying it, or nil when there is none. The
    /// bytes point into the map: valid only during `body`, at any alignment.
    public func withValue<T>(_ db: LMDBDatabase, key: some LMDBKey, _ body: (UnsafeRawBufferPointer?) throws -> T) throws -> T {
        try ensureValid()
        var data = MDB_val()
        let rc = key.lmdbBytes.withMDBVal { k in mdb_get(txn, db.handle, &k, &data) }
        if rc == MDB_NOTFOUND { return try body(nil) }
        try fail(rc, "mdb_get", db)
        return try body(data.rawBuffer)
    }

    /// `forEach` without copies: the key and value bytes point into the map and are valid only
    /// during each call of `body`.
    public func forEachUnsafe(
        _ db: LMDBDatabase, from key: (any LMDBKey)? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try withCursor(db) { cursor in
            var k = MDB_val(), v = MDB_val()
            var rc: Int32
            if let key {
                rc = key.lmdbBytes.withMDBVal { start in
                    k = start
                    return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
                }
            } else {
                rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
            }
            while rc == 0 {
                guard try body(k.rawBuffer, v.rawBuffer) else { return }
                rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
            }
            if rc != MDB_NOTFOUND { try fail(rc, "mdb_cursor_get", db) }
        }
    }

    /// The entry with the greatest key, or nil when the database is empty.
    public func last(_ db: LMDBDatabase) throws -> (key: [UInt8], value: [UInt8])? {
        try withCursor(db) { cursor in
            var k = MDB_val(), v = MDB_val()
            let rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST)
            if rc == MDB_NOTFOUND { return nil }
            try fail(rc, "mdb_cursor_get(last)", db)
            return (k.bytes, v.bytes)
        }
    }

    /// The number of entries.
    public func count(_ db: LMDBDatabase) throws -> Int {
        try ensureValid()
        var stat = MDB_stat()
        try fail(mdb_stat(txn, db.handle, &stat), "mdb_stat", db)
        return Int(stat.ms_entries)
    }

    private func withCursor<T>(_ db: LMDBDatabase, _ body: (OpaquePointer) throws -> T) throws -> T {
        try ensureValid()
        var cursor: OpaquePointer?
        try fail(mdb_cursor_open(txn, db.handle, &cursor), "mdb_cursor_open", db)
        defer { mdb_cursor_close(cursor) }
        return try body(cursor!)
    }

    /// Throws an `LMDBError` naming the operation and database; subclass hooks see it first.
    func fail(_ rc: Int32, _ operation: String, _ db: LMDBDatabase) throws {
        if rc == 0 { return }
        noteFailure(rc)
        throw LMDBError(code: rc, operation: "\(operation)(\(db.name))", path: environment.path)
    }

    func noteFailure(_ rc: Int32) {}
}

extension MDB_val {
    /// A copy of the bytes (the map's memory is only valid during the transaction).
    var bytes: [UInt8] {
        guard mv_size > 0, let data = mv_data else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: mv_size))
    }
}

extension MDB_val {
    /// The bytes in place (valid only while the transaction lasts).
    var rawBuffer: UnsafeRawBufferPointer {
        guard mv_size > 0, let data = mv_data else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: data, count: mv_size)
    }
}

extension Array where Element == UInt8 {
    /// Lends the bytes to LMDB as an `MDB_val` (LMDB does not write through key/data inputs).
    func withMDBVal<R>(_ body: (inout MDB_val) throws -> R) rethrows -> R {
        try withUnsafeBytes { raw in
            var val = MDB_val(mv_size: raw.count, mv_data: UnsafeMutableRawPointer(mutating: raw.baseAddress))
            return try body(&val)
        }
    }
}
