import Foundation

/// Tracks this process's transactions so the map can be resized (or the environment closed)
/// only when none is active, as `mdb_env_set_mapsize` and `mdb_env_close` require.
///
/// Readers enter and leave freely; `exclusive` (called by the single writer, between its
/// transactions) stops new readers, waits for the running ones, then runs its body. The
/// owning threads are remembered so that patterns that would deadlock (a write started
/// inside a read closure, a write inside a write) fail at once instead of hanging.
///
/// `@unchecked Sendable`: `readers`, `draining` and `writer` are read and written only under
/// `condition`'s lock; `closed` is written inside `exclusive` (under that lock and, by its
/// contract, the environment's writer lock) and read under one of the two.
final class TransactionGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var readers: [(thread: pthread_t, depth: Int)] = []
    private var draining = false
    private var writer: pthread_t?
    private(set) var closed = false

    /// Registers a read transaction of the current thread; waits while a resize drains.
    func enterReader(path: String) throws {
        condition.lock()
        defer { condition.unlock() }
        let me = pthread_self()
        // Nested reads on one thread must not wait for a drain that waits for them.
        if let i = readers.firstIndex(where: { pthread_equal($0.thread, me) != 0 }) {
            readers[i].depth += 1
            return
        }
        while draining { condition.wait() }
        if closed { throw LMDBError(code: EINVAL, operation: "read", path: path, detail: "the environment is closed") }
        readers.append((me, 1))
    }

    func leaveReader() {
        condition.lock()
        defer { condition.unlock() }
        let me = pthread_self()
        if let i = readers.firstIndex(where: { pthread_equal($0.thread, me) != 0 }) {
            readers[i].depth -= 1
            if readers[i].depth == 0 { readers.remove(at: i) }
        }
        if readers.isEmpty { condition.broadcast() }
    }

    /// True when the current thread is inside a read closure.
    var currentThreadReads: Bool {
        condition.lock()
        defer { condition.unlock() }
        let me = pthread_self()
        return readers.contains { pthread_equal($0.thread, me) != 0 }
    }

    /// Records the thread holding the writer lock (nil when released).
    func setWriter(_ thread: pthread_t?) {
        condition.lock()
        writer = thread
        condition.unlock()
    }

    var currentThreadWrites: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isWriter(pthread_self())
    }

    private func isWriter(_ thread: pthread_t) -> Bool {
        guard let w = writer else { return false }
        return pthread_equal(w, thread) != 0
    }

    /// Runs `body` with no read transaction active in this process. The caller must hold
    /// the writer lock and have no transaction of its own open.
    func exclusive<T>(closing: Bool = false, _ body: () throws -> T) rethrows -> T {
        condition.lock()
        draining = true
        while !readers.isEmpty { condition.wait() }
        defer {
            draining = false
            if closing { closed = true }
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}
