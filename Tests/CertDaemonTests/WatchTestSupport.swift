import CertDaemon
import CertTestSupport
import Foundation
import Glibc

/// A fresh temporary folder with inbox/ inside; removed by `remove()` (or when released).
struct WatchTempDir {
    private let directory: TemporaryDirectory
    var root: String { directory.path }
    var inbox: String { root + "/inbox" }
    var processed: String { root + "/processed" }
    var failed: String { root + "/failed" }

    init() throws {
        directory = try TemporaryDirectory("watch")
        mkdir(inbox, 0o750)
    }

    func remove() { directory.remove() }
}

/// Writes `bytes` with plain open/write/close (one IN_CLOSE_WRITE).
func writeWatchFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
    precondition(fd >= 0, "open \(path) failed")
    bytes.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

func readWatchFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

func watchFileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}

/// Collects what a `files()` stream yields, for tests to wait on. The collecting task runs on
/// the test support's background threads: the test blocks its own thread while it waits, and
/// the cooperative pool may be taken by other tests, so the task must not need either.
///
/// `@unchecked Sendable`: `items` is read and changed only under `lock`; `task` is set once, in
/// init.
final class WatchCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<String>) {
        task = Task(executorPreference: TestExecutors.background) { [self] in
            for await path in stream { lock.withLock { items.append(path) } }
        }
    }

    var paths: [String] { lock.withLock { items } }

    /// Waits until at least `count` paths arrived (or `timeout`), then returns them all.
    @discardableResult
    func wait(for count: Int, timeout: Double = Wait.defaultTimeout) -> [String] {
        Wait.until(timeout: timeout, every: 0.01) { paths.count >= count }
        return paths
    }

    /// Lets stray events arrive, so "exactly once" is not "once so far".
    func settle(_ seconds: Double = 0.4) -> [String] {
        usleep(UInt32(seconds * 1_000_000))
        return paths
    }
}

/// Real syscalls, plus injected inotify records and a switch that swallows real events
/// (as a queue overflow would), so the overflow path can be driven.
///
/// `@unchecked Sendable`: every mutable field (`injected`, `muted`, `swallowed`, `writeErrno`,
/// `renameFailure`) is read and changed only under `lock`; `real` is a stateless `LinuxSyscalls`.
final class InjectingSyscalls: WatchSyscalls, @unchecked Sendable {
    private let real = LinuxSyscalls()
    private let lock = NSLock()
    private var injected: [UInt8] = []
    private var muted = false
    private var swallowed = 0

    // Failures to force: every write fails with `writeErrno`; a rename to a path ending in
    // `renameFailure.suffix` fails with its errno.
    private var writeErrno: Int32?
    private var renameFailure: (suffix: String, errno: Int32)?

    func inject(_ bytes: [UInt8]) { lock.withLock { injected += bytes } }
    func failWrites(_ errno: Int32?) { lock.withLock { writeErrno = errno } }
    func failRenames(to suffix: String, _ errno: Int32) { lock.withLock { renameFailure = (suffix, errno) } }
    func setMuted(_ value: Bool) { lock.withLock { muted = value } }
    var swallowedCount: Int { lock.withLock { swallowed } }

    func inotifyInit1(_ flags: Int32) throws -> Int32 { try real.inotifyInit1(flags) }
    func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) throws -> Int32 {
        try real.inotifyAddWatch(fd, path, mask)
    }

    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let pending: [UInt8] = lock.withLock {
            defer { injected = [] }
            return injected
        }
        if !pending.isEmpty {
            buffer.copyBytes(from: pending)
            return pending.count
        }
        let n = try real.read(fd, into: buffer)
        if lock.withLock({ muted }) {
            let count = Inotify.parse(ArraySlice(buffer[0..<n])).count
            lock.withLock { swallowed += count }
            throw SyscallError(call: "read", errno: EAGAIN)
        }
        return n
    }

    func poll(_ fd: Int32, timeoutMs: Int32) throws -> Bool {
        if lock.withLock({ !injected.isEmpty }) { return true }
        return try real.poll(fd, timeoutMs: min(timeoutMs, 20))
    }

    func close(_ fd: Int32) { real.close(fd) }
    func rename(_ from: String, _ to: String, noReplace: Bool) throws {
        if let failure = lock.withLock({ renameFailure }), to.hasSuffix(failure.suffix) {
            throw SyscallError(call: "rename", path: from, errno: failure.errno)
        }
        try real.rename(from, to, noReplace: noReplace)
    }
    func open(_ path: String, _ flags: Int32, _ mode: mode_t) throws -> Int32 { try real.open(path, flags, mode) }
    func fstat(_ fd: Int32) throws -> FileStatus { try real.fstat(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        if let errno = lock.withLock({ writeErrno }) { throw SyscallError(call: "write", errno: errno) }
        return try real.write(fd, bytes)
    }
    func fsync(_ fd: Int32) throws { try real.fsync(fd) }
    func unlink(_ path: String) throws { try real.unlink(path) }
    func mkdir(_ path: String, _ mode: mode_t) throws { try real.mkdir(path, mode) }
    func listDirectory(_ path: String) throws -> [String] { try real.listDirectory(path) }
}

/// A fresh inbox watched by a WatchFolder whose stream a collector reads; all torn down after `body`.
func watchingInbox(_ body: (WatchTempDir, WatchFolder, WatchCollector) throws -> Void) throws {
    let dir = try WatchTempDir()
    defer { dir.remove() }
    let watch = WatchFolder(inbox: dir.inbox)
    defer { watch.stop() }
    try body(dir, watch, WatchCollector(watch.files()))
}
