#if canImport(Glibc)
import Glibc
#endif

/// A socket file left by a crashed daemon blocks bind(2); one still answered belongs to a live one.
enum HTTPSocketFile {
    static func removeIfStale(path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw HTTPServerError("stat \(path): \(String(cString: strerror(errno)))")
        }
        // Never delete something that is not a socket: a misconfigured path must not cost a file.
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw HTTPServerError("\(path) exists and is not a socket")
        }
        if try answers(path: path) {
            throw HTTPServerError("\(path) is in use by a running server")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw HTTPServerError("unlink \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether something accepts connections on `path`.
    static func answers(path: String) throws -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError("socket: \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw HTTPServerError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
