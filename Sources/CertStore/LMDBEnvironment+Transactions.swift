import CLMDB
import Foundation

extension LMDBEnvironment {
    /// Runs `body` in a read-only snapshot; the transaction ends when `body` returns.
    ///
    /// Keep reads short: a long reader pins old pages (the file grows) and delays map growth.
    /// Reads may nest and may run inside a write closure; a write may not start inside a read.
    public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        while true {
            try gate.enterReader(path: path)
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            if rc == MDB_MAP_RESIZED {
                // Another process grew the map past ours: adopt its size, then retry.
                gate.leaveReader()
                try adoptForeignMapSize()
                continue
            }
            defer { gate.leaveReader() }
            try check(rc, "mdb_txn_begin(read)", path: path)
            let tx = ReadTransaction(txn: txn!, environment: self)
            defer {
                tx.invalidate()
                mdb_txn_abort(txn)
            }
            return try body(tx)
        }
    }

    /// Runs `body` in the write transaction: commits when it returns, aborts when it throws.
    ///
    /// Writers are serialised (one at a time, in this process and across processes).
    ///
    /// **`body` must be idempotent**: when the map is full (`MDB_MAP_FULL` from a put or from
    /// the commit) the transaction is aborted, the map doubled, and `body` run again from
    /// the start, so it must not have effects outside the transaction that cannot be
    /// repeated (counters, sends, file moves: do those after `write` returns).
    @discardableResult
    public func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        // Both patterns would deadlock: LMDB's writer mutex is not recursive, and growth waits
        // for this thread's own read to end.
        if gate.currentThreadWrites {
            throw LMDBError(code: EDEADLK, operation: "write", path: path, detail: "a write transaction may not start inside another")
        }
        if gate.currentThreadReads {
            throw LMDBError(
                code: EDEADLK, operation: "write", path: path, detail: "a write transaction may not start inside a read closure")
        }
        writerLock.lock()
        gate.setWriter(pthread_self())
        defer {
            gate.setWriter(nil)
            writerLock.unlock()
        }
        if gate.closed {
            throw LMDBError(code: EINVAL, operation: "write", path: path, detail: "the environment is closed")
        }
        while true {
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(env, nil, 0, &txn)
            if rc == MDB_MAP_RESIZED {
                try resizeMap(to: 0)
                continue
            }
            try check(rc, "mdb_txn_begin(write)", path: path)
            let tx = WriteTransaction(txn: txn!, environment: self)
            let result: T
            do {
                result = try body(tx)
            } catch {
                tx.invalidate()
                mdb_txn_abort(txn)
                // A swallowed or rethrown MDB_MAP_FULL: the transaction is unusable; grow and rerun.
                if tx.sawMapFull { try grow(); continue }
                throw error
            }
            tx.invalidate()
            if tx.sawMapFull {
                mdb_txn_abort(txn)
                try grow()
                continue
            }
            // mdb_txn_commit frees the transaction even when it fails.
            let commit = mdb_txn_commit(txn)
            if commit == MDB_MAP_FULL { try grow(); continue }
            try check(commit, "mdb_txn_commit", path: path)
            return result
        }
    }

    /// Doubles the map (caller holds the writer lock, no transaction of its own open).
    private func grow() throws {
        let current = mapSize
        guard current < maxMapSize else {
            throw LMDBError(
                code: MDB_MAP_FULL, operation: "map growth", path: path,
                detail: "the map reached its limit of \(current) bytes (maxMapSize); "
                    + "raise the limit or move the store to a larger disk")
        }
        try resizeMap(to: min(current * 2, maxMapSize))
    }

    /// `mdb_env_set_mapsize` once no read transaction of this process is active (0 adopts
    /// the size another process set).
    private func resizeMap(to size: Int) throws {
        try gate.exclusive {
            try check(mdb_env_set_mapsize(env, size), "mdb_env_set_mapsize(\(size))", path: path)
            setCurrentMapSize(Self.info(env).mapSize)
        }
    }

    private func adoptForeignMapSize() throws {
        // A nested read (or a read inside a write) cannot wait for its own transactions.
        if gate.currentThreadReads || gate.currentThreadWrites {
            throw LMDBError(
                code: MDB_MAP_RESIZED, operation: "mdb_txn_begin(read)", path: path,
                detail: "another process grew the map while this thread held a transaction")
        }
        writerLock.lock()
        defer { writerLock.unlock() }
        if gate.closed {
            throw LMDBError(code: EINVAL, operation: "read", path: path, detail: "the environment is closed")
        }
        try resizeMap(to: 0)
    }
}
