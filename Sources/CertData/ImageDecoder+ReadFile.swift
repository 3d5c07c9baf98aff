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
