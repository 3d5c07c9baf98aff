import CertSystem
import Glibc  // mode_t

/// `WatchSyscalls` on the real system, through CertSystem.
public struct LinuxSyscalls: WatchSyscalls {
    /// The real syscalls.
    public init() {}

    /// `SystemCall.inotifyInit1`.
    public func inotifyInit1(_ flags: Int32) throws -> Int32 { try SystemCall.inotifyInit1(flags) }

    /// `SystemCall.inotifyAddWatch`.
    public func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) throws -> Int32 {
        try SystemCall.inotifyAddWatch(fd, path, mask)
    }

    /// `SystemCall.read`.
    public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try SystemCall.read(fd, into: buffer)
    }

    /// `SystemCall.pollReadable`.
    public func poll(_ fd: Int32, timeoutMs: Int32) throws -> Bool {
        try SystemCall.pollReadable(fd, timeoutMs: timeoutMs)
    }

    /// `SystemCall.close`.
    public func close(_ fd: Int32) { SystemCall.close(fd) }

    /// `SystemCall.rename`, with RENAME_NOREPLACE when asked.
    public func rename(_ from: String, _ to: String, noReplace: Bool) throws {
        try SystemCall.rename(from, to, noReplace: noReplace)
    }

    /// `SystemCall.open`.
    public func open(_ path: String, _ flags: Int32, _ mode: mode_t) throws -> Int32 {
        try SystemCall.open(path, flags, mode)
    }

    /// `SystemCall.fstat`.
    public func fstat(_ fd: Int32) throws -> FileStatus { try SystemCall.fstat(fd) }

    /// `SystemCall.write`.
    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        try SystemCall.write(fd, bytes)
    }

    /// `SystemCall.fsync`.
    public func fsync(_ fd: Int32) throws { try SystemCall.fsync(fd) }

    /// `SystemCall.unlink`.
    public func unlink(_ path: String) throws { try SystemCall.unlink(path) }

    /// `SystemCall.mkdir`.
    public func mkdir(_ path: String, _ mode: mode_t) throws { try SystemCall.mkdir(path, mode) }

    /// `SystemCall.listDirectory` (non-UTF-8 names skipped).
    public func listDirectory(_ path: String) throws -> [String] { try SystemCall.listDirectory(path) }
}
