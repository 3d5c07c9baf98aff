#if canImport(Glibc)
    import Glibc
#endif

/// What callers need to know about a file: its type bits and size.
public struct FileStatus: Sendable, Equatable {
    /// `st_mode`: the type bits (`S_IFMT`) and the permission bits.
    public var mode: UInt32
    /// `st_size` in bytes.
    public var size: Int64
    /// `st_dev`: with `inode`, names the file (JOURNAL_STREAM compares the pair).
    public var device: UInt64 = 0
    /// `st_ino`.
    public var inode: UInt64 = 0
    /// `st_uid`: the owner.
    public var owner: UInt32 = 0

    /// A status from its fields, for callers that have no `stat` to convert.
    public init(mode: UInt32, size: Int64, device: UInt64 = 0, inode: UInt64 = 0) {
        self.mode = mode
        self.size = size
        self.device = device
        self.inode = inode
    }

    /// The type bits alone, `mode & S_IFMT`.
    public var type: UInt32 { mode & UInt32(S_IFMT) }
    /// A regular file (`S_IFREG`): the only kind the watcher and the readers accept.
    public var isRegular: Bool { type == UInt32(S_IFREG) }
    /// A directory (`S_IFDIR`).
    public var isDirectory: Bool { type == UInt32(S_IFDIR) }
    /// A socket (`S_IFSOCK`).
    public var isSocket: Bool { type == UInt32(S_IFSOCK) }
    /// A symbolic link (`S_IFLNK`); only `lstat` can report one.
    public var isSymbolicLink: Bool { type == UInt32(S_IFLNK) }

    init(_ st: stat) {
        self.init(mode: UInt32(st.st_mode), size: Int64(st.st_size), device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        owner = UInt32(st.st_uid)
    }
}
