#if canImport(Glibc)
    import Glibc
#endif

/// The project's file syscalls, in one place. Every call throws `SystemError` on failure and
/// retries EINTR itself, except `close` (Linux closes the fd even on EINTR: never retried).
public enum SystemCall {
    /// Retries `body` while it fails with EINTR; any other failure becomes a `SystemError`.
    @discardableResult
    static func retrying<T: BinaryInteger>(_ call: String, _ path: String = "", _ body: () -> T) throws -> T {
        while true {
            let rc = body()
            if rc >= 0 { return rc }
            if errno == EINTR { continue }
            throw SystemError.last(call, path)
        }
    }

    // MARK: Descriptors

    /// open(2); returns the descriptor. Throws `SystemError` (call "open", `path`) on failure.
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) throws -> Int32 {
        try retrying("open", path) { Glibc.open(path, flags, mode) }
    }

    /// close(2), never retried and never throwing: Linux frees the fd even when it reports EINTR.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// One read(2) into `buffer`; 0 at end of file. A non-blocking fd with nothing to read throws EAGAIN.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String = "") throws -> Int {
        try retrying("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Everything up to end of file, across partial reads. With `limit`, more than `limit`
    /// bytes throws EFBIG (call "read") as soon as the excess arrives; exactly `limit` is fine.
    public static func readAll(_ fd: Int32, limit: Int? = nil, path: String = "", sizeHint: Int = 0) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(sizeHint, limit ?? sizeHint))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(fd, into: $0, path: path) }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
            if let limit, bytes.count > limit {
                throw SystemError(call: "read", path: path, errno: EFBIG, note: "more than \(limit) bytes")
            }
        }
    }

    /// A whole file by path (opened O_RDONLY | O_CLOEXEC), with `readAll`'s limit.
    public static func readFile(_ path: String, limit: Int? = nil, sizeHint: Int = 0) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        return try readAll(fd, limit: limit, path: path, sizeHint: sizeHint)
    }

    /// One write(2); returns how much was written.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String = "") throws -> Int {
        try retrying("write", path) { Glibc.write(fd, bytes.baseAddress, bytes.count) }
    }

    /// All of `bytes`, across partial writes.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String = "") throws {
        var sent = 0
        while sent < bytes.count {
            sent += try bytes[sent...].withUnsafeBytes { try write(fd, $0, path: path) }
        }
    }

    /// fsync(2): the file's data and metadata reach the disk. `path` only names it in the error.
    public static func fsync(_ fd: Int32, path: String = "") throws {
        try retrying("fsync", path) { Glibc.fsync(fd) }
    }

    /// fstat(2) of an open descriptor: the status of the file that was opened, not of whatever the
    /// path names now.
    public static func fstat(_ fd: Int32, path: String = "") throws -> FileStatus {
        var st = Glibc.stat()
        try retrying("fstat", path) { Glibc.fstat(fd, &st) }
        return FileStatus(st)
    }

    /// poll(2) for POLLIN on one fd: whether it became readable within `timeoutMs`.
    public static func pollReadable(_ fd: Int32, timeoutMs: Int32) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return try retrying("poll") { Glibc.poll(&p, 1, timeoutMs) } > 0
    }

    // MARK: Paths

    /// stat(2), following symbolic links.
    public static func stat(_ path: String) throws -> FileStatus {
        var st = Glibc.stat()
        try retrying("stat", path) { statPath(path, &st) }
        return FileStatus(st)
    }

    /// lstat(2): a symbolic link is described, not followed.
    public static func lstat(_ path: String) throws -> FileStatus {
        var st = Glibc.stat()
        try retrying("lstat", path) { lstatPath(path, &st) }
        return FileStatus(st)
    }

    /// chmod(2).
    public static func chmod(_ path: String, _ mode: mode_t) throws {
        try retrying("chmod", path) { Glibc.chmod(path, mode) }
    }

    /// unlink(2).
    public static func unlink(_ path: String) throws {
        try retrying("unlink", path) { Glibc.unlink(path) }
    }

    /// mkdir(2) with `mode` (before the umask); an existing directory throws EEXIST.
    public static func mkdir(_ path: String, _ mode: mode_t) throws {
        try retrying("mkdir", path) { Glibc.mkdir(path, mode) }
    }

    /// rename(2); with `noReplace` an existing `to` fails with EEXIST instead of being replaced
    /// (renameat2 RENAME_NOREPLACE, or link+unlink where the filesystem lacks it).
    public static func rename(_ from: String, _ to: String, noReplace: Bool = false) throws {
        guard noReplace else {
            try retrying("rename", from) { Glibc.rename(from, to) }
            return
        }
        if let renameat2 = renameat2 {
            let renameNoReplace: UInt32 = 1  // RENAME_NOREPLACE
            let rc = renameat2(AT_FDCWD, from, AT_FDCWD, to, renameNoReplace)
            if rc == 0 { return }
            // Filesystems without RENAME_NOREPLACE say EINVAL: fall through to link+unlink.
            if errno != EINVAL && errno != ENOSYS { throw SystemError.last("rename", from) }
        }
        // link(2) never replaces; the brief window with two names is harmless (same inode).
        try retrying("link", from) { Glibc.link(from, to) }
        try retrying("unlink", from) { Glibc.unlink(from) }
    }

    /// The entries of a directory, without "." and "..", in readdir order.
    ///
    /// The one rule for names that are not UTF-8: they are skipped. Such a name cannot
    /// round-trip through `String` (a repaired name would open a different file, or none), so
    /// no caller ever sees it; the watcher and the dataset readers both behave this way.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw SystemError.last("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw SystemError.last("readdir", path) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(validatingCString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard let name, name != ".", name != ".." else { continue }
            names.append(name)
        }
    }

    // MARK: inotify

    /// inotify_init1(2) with the caller's flags (`IN_NONBLOCK`, `IN_CLOEXEC`); returns the inotify
    /// descriptor.
    public static func inotifyInit1(_ flags: Int32) throws -> Int32 {
        try retrying("inotify_init1") { inotify_init1(flags) }
    }

    /// inotify_add_watch(2); returns the watch descriptor. A missing folder throws ENOENT, too many
    /// watches ENOSPC.
    public static func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) throws -> Int32 {
        try retrying("inotify_add_watch", path) { inotify_add_watch(fd, path, mask) }
    }

    // Glibc's Swift module does not export renameat2 (it needs _GNU_SOURCE): look it up once.
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
    private static let renameat2: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
}

// At file scope `stat(_:_:)` is the C function; inside `SystemCall` the name is the method.
private func statPath(_ path: String, _ st: inout Glibc.stat) -> Int32 { stat(path, &st) }
private func lstatPath(_ path: String, _ st: inout Glibc.stat) -> Int32 { lstat(path, &st) }
