#if canImport(Glibc)
    import Glibc
#endif

/// AF_UNIX stream sockets: the address, connect, bind+listen, accept.
public enum UnixSocket {
    /// sun_path holds 108 bytes with the terminating NUL: a path has at most 107.
    public static let maximumPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// The address of `path`; a longer path than `maximumPathLength` throws ENAMETOOLONG
    /// (call `call`) instead of being truncated to some other socket.
    public static func address(_ path: String, call: String = "sockaddr_un") throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count <= maximumPathLength else {
            throw SystemError(
                call: call, path: path, errno: ENAMETOOLONG,
                note: "a Unix socket path is at most \(maximumPathLength) bytes, this one is \(bytes.count)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// A new AF_UNIX stream socket (close-on-exec).
    public static func stream() throws -> Int32 {
        try SystemCall.retrying("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
    }

    /// A socket connected to `path`. A missing file is ENOENT, a file nobody listens on ECONNREFUSED.
    public static func connect(_ path: String) throws -> Int32 {
        var address = try address(path, call: "connect")
        let fd = try stream()
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        // connect(2) interrupted by a signal keeps connecting asynchronously: not retried.
        guard rc == 0 else {
            let error = SystemError.last("connect", path)
            SystemCall.close(fd)
            throw error
        }
        return fd
    }

    /// A socket bound to `path` and listening. An existing file at `path` is EADDRINUSE.
    public static func listen(_ path: String, backlog: Int32 = 128) throws -> Int32 {
        var address = try address(path, call: "bind")
        let fd = try stream()
        do {
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else { throw SystemError.last("bind", path) }
            try SystemCall.retrying("listen", path) { Glibc.listen(fd, backlog) }
        } catch {
            SystemCall.close(fd)
            throw error
        }
        return fd
    }

    /// The next connection on a listening socket.
    public static func accept(_ fd: Int32) throws -> Int32 {
        try SystemCall.retrying("accept") { Glibc.accept(fd, nil, nil) }
    }
}
