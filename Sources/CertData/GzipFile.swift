import CLibz
import Glibc  // errno after gzopen (zlib sets it); the read goes through zlib

/// Reads a gzip file, or a plain one (zlib passes those through unchanged).
enum GzipFile {
    /// Refuse to inflate more than this: a tiny .gz can expand without bound.
    static let maximumSize = 1 << 30

    static func read(path: String) throws -> [UInt8] {
        // The same checks as for images: clear messages for missing files and folders.
        _ = try FileBytes.regularFileSize(path: path)
        guard let file = gzopen(path, "rb") else {
            throw FileBytes.failure(errno)
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var readError: String?
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { readError = errorText(file); break }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
            guard out.count <= maximumSize else {
                gzclose_r(file)
                throw DecodeFailure("decompressed data exceeds \(maximumSize) bytes")
            }
        }
        // A stream cut short reads as a clean end; gzclose_r is what reports it.
        let closed = gzclose_r(file)
        if let readError { throw DecodeFailure("cannot read gzip data: \(readError)") }
        guard closed == Z_OK else {
            throw DecodeFailure(closed == Z_BUF_ERROR ? "truncated gzip file" : "cannot read gzip data (zlib error \(closed))")
        }
        return out
    }

    private static func errorText(_ file: gzFile) -> String {
        var code: Int32 = 0
        return gzerror(file, &code).map { String(cString: $0) } ?? "zlib error \(code)"
    }
}
