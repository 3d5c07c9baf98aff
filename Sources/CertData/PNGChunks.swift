/// Removes the PNG chunks that would make libpng's simplified reader change values.
///
/// The simplified API converts between gamma encodings whenever gAMA/sRGB/cHRM/iCCP
/// say the file is not what the output format assumes, and turns tRNS into an alpha
/// channel that 16-bit reads premultiply. We want stored values, untouched, so these
/// chunks go. Whole chunks are dropped, so the remaining CRCs stay valid.
enum PNGChunks {
    static let dropped: Set<String> = ["gAMA", "sRGB", "cHRM", "iCCP", "tRNS"]

    /// `bytes` without the dropped chunks; the input unchanged when it does not parse
    /// (libpng then reports what is wrong with it).
    static func withoutColourSpaceChunks(_ bytes: [UInt8]) -> [UInt8] {
        var out = Array(bytes.prefix(8))
        var i = 8
        var droppedAny = false
        while i + 12 <= bytes.count {
            let length =
                Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16
                | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            let end = i + 12 + length
            guard length <= Int(Int32.max), end <= bytes.count else { return bytes }
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            if dropped.contains(type) {
                droppedAny = true
            } else {
                out.append(contentsOf: bytes[i..<end])
            }
            i = end
            if type == "IEND" { break }
        }
        guard droppedAny else { return bytes }
        out.append(contentsOf: bytes[i...])
        return out
    }
}
