import CertSystem

#if canImport(Glibc)
    import Glibc  // errno constants
#endif

/// A socket file left by a crashed daemon blocks bind(2); one still answered belongs to a live one.
enum HTTPSocketFile {
    static func removeIfStale(path: String) throws {
        let info: FileStatus
        do { info = try SystemCall.lstat(path) } catch let error as SystemError {
            if error.errno == ENOENT { return }
            throw HTTPServerError(error.description)
        }
        // Never delete something that is not a socket: a misconfigured path must not cost a file.
        guard info.isSocket else {
            throw HTTPServerError("\(path) exists and is not a socket")
        }
        if try answers(path: path) {
            throw HTTPServerError("\(path) is in use by a running server")
        }
        do { try SystemCall.unlink(path) } catch let error as SystemError where error.errno != ENOENT {
            throw HTTPServerError(error.description)
        }
    }

    /// Whether something accepts connections on `path`.
    static func answers(path: String) throws -> Bool {
        do {
            SystemCall.close(try UnixSocket.connect(path))
            return true
        } catch let error as SystemError where error.call == "connect" && error.errno != ENAMETOOLONG {
            return false
        } catch let error as SystemError {
            throw HTTPServerError(error.description)
        }
    }
}
