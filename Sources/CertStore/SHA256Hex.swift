/// SHA-256 digests as the store keys them: lowercase hex in text keys, 32 raw bytes in records.
enum SHA256Hex {
    /// The lowercase form of a 64-digit hex string; throws for anything else.
    static func normalized(_ text: String) throws -> String {
        let lower = text.lowercased()
        guard lower.utf8.count == 64, lower.utf8.allSatisfy(isHexDigit) else {
            throw CertStoreError.invalidSHA256(text)
        }
        return lower
    }

    static func bytes(_ text: String) throws -> [UInt8] {
        let digits = Array(try normalized(text).utf8)
        return stride(from: 0, to: 64, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    static func text<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let alphabet = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(alphabet[Int(b >> 4)])
            out.append(alphabet[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 97 && c <= 102)
    }

    private static func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
}
