import Glibc

/// A failed system call: which call, on what, and errno. Its description is one line
/// because it ends up in logs and in failed/*.error.json.
public struct SyscallError: Error, Equatable, CustomStringConvertible {
    public var call: String
    public var path: String
    public var errno: Int32

    public init(call: String, path: String = "", errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return path.isEmpty ? "\(call): \(reason)" : "\(call) \(path): \(reason)"
    }
}

/// What the watcher needs to know about an open file.
public struct FileStatus: Sendable, Equatable {
    public var mode: UInt32
    public var size: Int64
    public var isRegular: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }

    public init(mode: UInt32, size: Int64) {
        self.mode = mode
        self.size = size
    }
}

/// The syscalls the watcher needs, so tests can drive them (real implementation: Glibc).
/// Every call throws `SyscallError` on failure; EINTR is retried by the implementation.
public protocol WatchSyscalls: Sendable {
    func inotifyInit1(_ flags: Int32) throws -> Int32
    func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) throws -> Int32
    /// Reads into `buffer`; a non-blocking fd with nothing to read throws EAGAIN.
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Whether `fd` became readable within `timeoutMs`.
    func poll(_ fd: Int32, timeoutMs: Int32) throws -> Bool
    func close(_ fd: Int32)
    /// rename(2); with `noReplace` an existing `to` fails with EEXIST instead of being replaced.
    func rename(_ from: String, _ to: String, noReplace: Bool) throws
    func open(_ path: String, _ flags: Int32, _ mode: mode_t) throws -> Int32
    func fstat(_ fd: Int32) throws -> FileStatus
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int
    func fsync(_ fd: Int32) throws
    func unlink(_ path: String) throws
    func mkdir(_ path: String, _ mode: mode_t) throws
    /// The entries of a directory, without "." and "..", in no particular order.
    func listDirectory(_ path: String) throws -> [String]
}
