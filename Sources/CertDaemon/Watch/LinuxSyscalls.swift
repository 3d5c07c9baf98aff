import Glibc

/// `WatchSyscalls` on Glibc.
public struct LinuxSyscalls: WatchSyscalls {
    public init() {}

    public func inotifyInit1(_ flags: Int32) throws -> Int32 {
        try check("inotify_init1") { inotify_init1(flags) }
    }

    public func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) throws -> Int32 {
        try check("inotify_add_watch", path) { inotify_add_watch(fd, path, mask) }
    }

    public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try check("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    public func poll(_ fd: Int32, timeoutMs: Int32) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return try check("poll") { Glibc.poll(&p, 1, timeoutMs) } > 0
    }

    public func close(_ fd: Int32) {
        _ = Glibc.close(fd)  // Linux closes the fd even on EINTR: never retry.
    }

    public func rename(_ from: String, _ to: String, noReplace: Bool) throws {
        guard noReplace else {
            _ = try check("rename", from) { Glibc.rename(from, to) }
            return
        }
        if let renameat2 = Self.renameat2 {
            let rc = renameat2(AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */)
            if rc == 0 { return }
            // Filesystems without RENAME_NOREPLACE say EINVAL: fall through to link+unlink.
            if errno != EINVAL && errno != ENOSYS { throw SyscallError(call: "rename", path: from, errno: errno) }
        }
        // link(2) never replaces; the brief window with two names is harmless (same inode).
        _ = try check("link", from) { Glibc.link(from, to) }
        _ = try check("unlink", from) { Glibc.unlink(from) }
    }

    public func open(_ path: String, _ flags: Int32, _ mode: mode_t) throws -> Int32 {
        try check("open", path) { Glibc.open(path, flags, mode) }
    }

    public func fstat(_ fd: Int32) throws -> FileStatus {
        var st = stat()
        _ = try check("fstat") { Glibc.fstat(fd, &st) }
        return FileStatus(mode: st.st_mode, size: Int64(st.st_size))
    }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        try check("write") { Glibc.write(fd, bytes.baseAddress, bytes.count) }
    }

    public func fsync(_ fd: Int32) throws {
        _ = try check("fsync") { Glibc.fsync(fd) }
    }

    public func unlink(_ path: String) throws {
        _ = try check("unlink", path) { Glibc.unlink(path) }
    }

    public func mkdir(_ path: String, _ mode: mode_t) throws {
        _ = try check("mkdir", path) { Glibc.mkdir(path, mode) }
    }

    public func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw SyscallError(call: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(validatingCString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            // Names that are not UTF-8 cannot round-trip through String: skipped (see README).
            guard let name, name != ".", name != ".." else { continue }
            names.append(name)
        }
        return names
    }

    // Glibc's Swift module does not export renameat2 (it needs _GNU_SOURCE): look it up once.
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
    private static let renameat2: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }

    private func check<T: BinaryInteger>(_ call: String, _ path: String = "", _ body: () -> T) throws -> T {
        while true {
            let rc = body()
            if rc >= 0 { return rc }
            if errno == EINTR { continue }
            throw SyscallError(call: call, path: path, errno: errno)
        }
    }
}
