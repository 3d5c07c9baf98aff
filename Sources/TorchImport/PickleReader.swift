/// Bounds-checked little-endian reads over the pickle bytes: every read says what it
/// wanted and where, so a truncated pickle is an error, never a crash.
struct PickleReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    mutating func take(_ count: Int, for what: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else {
            throw ImportFailure(
                "truncated pickle: \(what) needs \(count) bytes at offset \(offset), "
                    + "\(bytes.count - offset) left")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func byte(for what: String) throws -> UInt8 { try take(1, for: what).first! }

    /// Unsigned little-endian integer of `count` bytes (count <= 8).
    mutating func uint(_ count: Int, for what: String) throws -> UInt64 {
        var value: UInt64 = 0
        for (i, b) in try take(count, for: what).enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        return value
    }

    /// A length field, refused if it points past the end (before any allocation).
    mutating func length(_ count: Int, for what: String) throws -> Int {
        let raw = try uint(count, for: what)
        guard raw <= UInt64(bytes.count - offset) else {
            throw ImportFailure(
                "truncated pickle: \(what) claims \(raw) bytes at offset \(offset), "
                    + "\(bytes.count - offset) left")
        }
        return Int(raw)
    }

    /// Text up to (not including) the next newline, for GLOBAL's module and name.
    mutating func line(for what: String) throws -> String {
        guard let end = bytes[offset...].firstIndex(of: 0x0A) else {
            throw ImportFailure("truncated pickle: \(what) has no terminating newline after offset \(offset)")
        }
        defer { offset = end + 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }
}
