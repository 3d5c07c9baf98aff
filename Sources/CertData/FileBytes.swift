import Glibc

/// Reads a whole regular file, with errors a user can act on.
enum FileBytes {
    /// Refuse anything bigger: the largest accepted image (float64 .npy) is far below.
    static let maximumFileSize = 1 << 30

    static func read(path: String) throws -> [UInt8] {
        let size = try regularFileSize(path: path)
        guard size <= maximumFileSize else {
            throw DecodeFailure("file is \(size) bytes; the limit is \(maximumFileSize)")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            // The file may grow while we read it.
            guard bytes.count <= maximumFileSize else {
                throw DecodeFailure("file is larger than the limit of \(maximumFileSize) bytes")
            }
        }
        return bytes
    }

    /// The size of a regular file; a clear error for anything else.
    static func regularFileSize(path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(errno) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return Int(info.st_size)
        case S_IFDIR: throw DecodeFailure("is a directory, not a file")
        // A FIFO or device could block forever or never end.
        default: throw DecodeFailure("is not a regular file")
        }
    }

    static func failure(_ code: Int32) -> DecodeFailure {
        switch code {
        case ENOENT: return DecodeFailure("no such file")
        case EACCES: return DecodeFailure("permission denied")
        case ENOTDIR: return DecodeFailure("no such file (a parent is not a directory)")
        default: return DecodeFailure(String(cString: strerror(code)))
        }
    }
}
