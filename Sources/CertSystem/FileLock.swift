#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive advisory lock (flock) on a file, held while this object lives: one certssbd per
/// state directory. The kernel drops it when the process dies, so a crash never leaves a stale
/// lock behind.
public final class FileLock: Sendable {
    private let fd: Int32

    /// Creates `path` if needed and locks it without waiting. Throws `SystemError` (EWOULDBLOCK
    /// when another process holds it).
    public init(path: String) throws {
        let fd = try SystemCall.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = SystemError.last("flock", path)
            SystemCall.close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { SystemCall.close(fd) }
}
