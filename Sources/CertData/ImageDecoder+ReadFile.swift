import CertSystem

#if canImport(Glibc)
    import Glibc  // EFBIG
#endif

extension ImageDecoder {
    /// The raw bytes of an input file (the verdict's sha256 is over these), with the same
    /// one-line errors as `decodeFile` for a missing file, a directory or an empty file.
    public static func readFile(atPath path: String) throws -> [UInt8] {
        do {
            return try FileBytes.read(path: path)
        } catch let failure as DecodeFailure {
            throw ImageDecodingError(source: path, reason: failure.reason)
        }
    }
}

extension ImageDecoder {
    /// All of standard input (`-` on the command line), with the same size cap as a file.
    public static func readStandardInput() throws -> [UInt8] {
        do {
            return try SystemCall.readAll(0, limit: FileBytes.maximumFileSize, path: "standard input")
        } catch let error as SystemError {
            throw ImageDecodingError(
                source: "-",
                reason: error.errno == EFBIG
                    ? "standard input is larger than the limit of \(FileBytes.maximumFileSize) bytes" : error.reason)
        }
    }
}
