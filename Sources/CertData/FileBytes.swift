import CertSystem

#if canImport(Glibc)
    import Glibc  // errno constants only
#endif

/// Reads a whole regular file, with errors a user can act on.
enum FileBytes {
    /// Refuse anything bigger: the largest accepted image (float64 .npy) is far below.
    static let maximumFileSize = 1 << 30

    static func read(path: String) throws -> [UInt8] {
        let size = try regularFileSize(path: path)
        guard size <= maximumFileSize else {
            throw DecodeFailure("file is \(size) bytes; the limit is \(maximumFileSize)")
        }
        do {
            return try SystemCall.readFile(path, limit: maximumFileSize, sizeHint: size)
        } catch let error as SystemError where error.errno == EFBIG && error.call == "read" {
            // The file grew while we read it.
            throw DecodeFailure("file is larger than the limit of \(maximumFileSize) bytes")
        } catch let error as SystemError {
            throw failure(error.errno)
        }
    }

    /// The size of a regular file; a clear error for anything else.
    static func regularFileSize(path: String) throws -> Int {
        let info: FileStatus
        do { info = try SystemCall.stat(path) } catch let error as SystemError { throw failure(error.errno) }
        if info.isRegular { return Int(info.size) }
        if info.isDirectory { throw DecodeFailure("is a directory, not a file") }
        // A FIFO or device could block forever or never end.
        throw DecodeFailure("is not a regular file")
    }

    static func failure(_ code: Int32) -> DecodeFailure {
        switch code {
        case ENOENT: return DecodeFailure("no such file")
        case EACCES: return DecodeFailure("permission denied")
        case ENOTDIR: return DecodeFailure("no such file (a parent is not a directory)")
        default: return DecodeFailure(SystemError(call: "", errno: code).reason)
        }
    }
}
