import CertSystem
import Glibc  // mode_t

/// `WatchSyscalls` on the real system, through CertSystem.
public struct LinuxSyscalls: WatchSyscalls {
    public init() {}

    public func inotifyInit1(_ flags: Int32) throws -> Int32 { try SystemCall.inotifyInit1(flags) }

    public func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) throws -> Int32 {
        try SystemCall.inotifyAddWatch(fd, path, mask)
    }

    public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try SystemCall.read(fd, into: buffer)
    }

    public func poll(_ fd: Int32, timeoutMs: Int32) throws -> Bool {
        try SystemCall.pollReadable(fd, timeoutMs: timeoutMs)
    }

    public func close(_ fd: Int32) { SystemCall.close(fd) }

    public func rename(_ from: String, _ to: String, noReplace: Bool) throws {
        try SystemCall.rename(from, to, noReplace: noReplace)
    }

    public func open(_ path: String, _ flags: Int32, _ mode: mode_t) throws -> Int32 {
        try SystemCall.open(path, flags, mode)
    }

    public func fstat(_ fd: Int32) throws -> FileStatus { try SystemCall.fstat(fd) }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        try SystemCall.write(fd, bytes)
    }

    public func fsync(_ fd: Int32) throws { try SystemCall.fsync(fd) }

    public func unlink(_ path: String) throws { try SystemCall.unlink(path) }

    public func mkdir(_ path: String, _ mode: mode_t) throws { try SystemCall.mkdir(path, mode) }

    public func listDirectory(_ path: String) throws -> [String] { try SystemCall.listDirectory(path) }
}
