import CertSystem
import Glibc  // mode_t

/// A failed system call (CertSystem's `SystemError`, under the daemon's older name).
public typealias SyscallError = SystemError

/// What the watcher needs to know about an open file (CertSystem's).
public typealias FileStatus = CertSystem.FileStatus

/// The syscalls the watcher needs, so tests can drive them (real implementation: CertSystem).
/// Every call throws `SyscallError` on failure; EINTR is retried by the implementation.
public protocol WatchSyscalls: Sendable {
    /// inotify_init1(2); returns the inotify descriptor.
    func inotifyInit1(_ flags: Int32) throws -> Int32
    /// inotify_add_watch(2); returns the watch descriptor.
    func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) throws -> Int32
    /// Reads into `buffer`; a non-blocking fd with nothing to read throws EAGAIN.
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Whether `fd` became readable within `timeoutMs`.
    func poll(_ fd: Int32, timeoutMs: Int32) throws -> Bool
    /// close(2); never throws.
    func close(_ fd: Int32)
    /// rename(2); with `noReplace` an existing `to` fails with EEXIST instead of being replaced.
    func rename(_ from: String, _ to: String, noReplace: Bool) throws
    /// open(2); returns the descriptor.
    func open(_ path: String, _ flags: Int32, _ mode: mode_t) throws -> Int32
    /// fstat(2) of an open descriptor.
    func fstat(_ fd: Int32) throws -> FileStatus
    /// One write(2); returns the bytes written.
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int
    /// fsync(2).
    func fsync(_ fd: Int32) throws
    /// unlink(2).
    func unlink(_ path: String) throws
    /// mkdir(2); an existing directory throws EEXIST.
    func mkdir(_ path: String, _ mode: mode_t) throws
    /// The entries of a directory, without "." and "..", in no particular order.
    func listDirectory(_ path: String) throws -> [String]
    /// chmod(2): sets the mode whatever the umask.
    func chmod(_ path: String, _ mode: mode_t) throws
}

extension WatchSyscalls {
    /// The real chmod, for fakes that do not care about modes.
    public func chmod(_ path: String, _ mode: mode_t) throws { try SystemCall.chmod(path, mode) }
}
