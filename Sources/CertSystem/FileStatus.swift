#if canImport(Glibc)
import Glibc
#endif

/// What callers need to know about a file: its type bits and size.
public struct FileStatus: Sendable, Equatable {
    public var mode: UInt32
    public var size: Int64
    /// st_dev and st_ino: together they name the file (JOURNAL_STREAM compares them).
    public var device: UInt64 = 0
    public var inode: UInt64 = 0

    public init(mode: UInt32, size: Int64, device: UInt64 = 0, inode: UInt64 = 0) {
        self.mode = mode
        self.size = size
        self.device = device
        self.inode = inode
    }

    public var type: UInt32 { mode & UInt32(S_IFMT) }
    public var isRegular: Bool { type == UInt32(S_IFREG) }
    public var isDirectory: Bool { type == UInt32(S_IFDIR) }
    public var isSocket: Bool { type == UInt32(S_IFSOCK) }
    public var isSymbolicLink: Bool { type == UInt32(S_IFLNK) }

    init(_ st: stat) {
        self.init(mode: UInt32(st.st_mode), size: Int64(st.st_size), device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}
