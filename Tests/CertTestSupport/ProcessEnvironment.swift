import Foundation

/// The process environment is shared by every test running at once. A test that changes
/// it (the systemd tests set NOTIFY_SOCKET, LISTEN_FDS, WATCHDOG_USEC) holds `exclusive`; the
/// spawners of this support hold `shared` while they start a child. So no child inherits a
/// variable set for one test (a certssbd with that NOTIFY_SOCKET would write into it), and
/// `environ` is never read while setenv rewrites it.
public enum ProcessEnvironment {
    private static let lock = SharedExclusiveLock()

    /// The environment as children inherit it (never with another test's variables in it).
    public static var current: [String: String] { withShared { ProcessInfo.processInfo.environment } }

    /// For starting children that inherit the environment.
    public static func withShared<T>(_ body: () throws -> T) rethrows -> T {
        lock.lockShared()
        defer { lock.unlockShared() }
        return try body()
    }

    /// For changing the environment; `values` are set (nil: unset) for `body`, then restored.
    public static func with<T>(_ values: [String: String?], _ body: () throws -> T) rethrows -> T {
        lock.lockExclusive()
        defer { lock.unlockExclusive() }
        let saved = values.keys.map { ($0, getenv($0).map { String(cString: $0) }) }
        for (key, value) in values {
            if let value { setenv(key, value, 1) } else { unsetenv(key) }
        }
        defer {
            for (key, value) in saved {
                if let value { setenv(key, value, 1) } else { unsetenv(key) }
            }
        }
        return try body()
    }
}

/// Many readers or one writer; a waiting writer stops new readers, so spawns cannot starve it.
final class SharedExclusiveLock: @unchecked Sendable {
    private let condition = NSCondition()
    private var readers = 0, writing = false, writersWaiting = 0  // guarded by `condition`

    func lockShared() {
        condition.withLock {
            while writing || writersWaiting > 0 { condition.wait() }
            readers += 1
        }
    }

    func unlockShared() {
        condition.withLock {
            readers -= 1
            if readers == 0 { condition.broadcast() }
        }
    }

    func lockExclusive() {
        condition.withLock {
            writersWaiting += 1
            while writing || readers > 0 { condition.wait() }
            writersWaiting -= 1
            writing = true
        }
    }

    func unlockExclusive() {
        condition.withLock {
            writing = false
            condition.broadcast()
        }
    }
}
