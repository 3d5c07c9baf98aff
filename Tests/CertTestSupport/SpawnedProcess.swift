import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child started with posix_spawn, for programs the tests signal (certssbd, an interrupted
/// `certssb train`) or leave running, instead of Foundation's `Process`:
/// - the signal mask is emptied and SIGTERM/SIGINT/SIGHUP/SIGPIPE reset to default, where a
///   `Process` child inherits the mask of the test thread that starts it (SIGTERM blocked);
/// - every descriptor above stderr is closed in the child. A `Process` started at the same
///   moment on another test thread has an open monitoring socketpair; a long-lived child that
///   inherits it keeps that other `Process` from ever being seen to exit.
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    public private(set) var exitStatus: Int32?

    /// `descriptors` maps a descriptor of the child (3 and up) to one of ours that it gets
    /// there, as systemd passes listening sockets; every other descriptor above 2 is closed.
    public init(
        _ executable: String, _ arguments: [String], stdout: String = "/dev/null", stderr: String,
        environment: [String: String]? = nil, descriptors: [Int32: Int32] = [:]
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        for (child, ours) in descriptors.sorted(by: { $0.key < $1.key }) {
            precondition(child > 2 && !descriptors.values.contains(child), "descriptor \(child) would be overwritten")
            posix_spawn_file_actions_adddup2(&actions, ours, child)
        }
        try Self.closeFrom((descriptors.keys.max() ?? 2) + 1, &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = ProcessEnvironment.withShared {
            env.map { posix_spawn(&pid, executable, &actions, &attributes, argv, $0) }
                ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        }
        guard spawned == 0 else { throw TestSupportError("posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
        self.pid = pid
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which the Glibc module does not
    /// import (it is a GNU extension): found with dlsym.
    private static func closeFrom(_ lowest: Int32, _ actions: inout posix_spawn_file_actions_t) throws {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            throw TestSupportError("glibc without posix_spawn_file_actions_addclosefrom_np (needs 2.34 or later)")
        }
        let result = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest)
        guard result == 0 else { throw TestSupportError("addclosefrom_np: \(String(cString: strerror(result)))") }
    }

    /// Reaps the child if it has ended; whether it still runs.
    public var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exitStatus = status }
        return exitStatus == nil
    }

    /// Sends `signal` unless the child has already ended (and been reaped: its pid may be reused).
    public func send(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    /// Waits for the end, killing the child after `timeout`; the raw wait status.
    @discardableResult
    public func wait(timeout: TimeInterval = 120) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(20_000)
        }
        return exitStatus!
    }

    public var signalled: Bool { (exitStatus ?? 0) & 0x7F != 0 }
    /// The exit code, or the signal number when `signalled`.
    public var code: Int32 { signalled ? (exitStatus ?? 0) & 0x7F : ((exitStatus ?? 0) >> 8) & 0xFF }

    deinit { if isRunning { kill(pid, SIGKILL); wait() } }
}
