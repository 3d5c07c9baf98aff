/// The header of a .npy file: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (28, 28), }`.
struct NPYHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// Longest header text read, in bytes: numpy's own reading default (`max_header_size`), far
    /// above the ~120 bytes `np.save` writes for an image.
    static let maximumLength = 10_000

    /// Magic, version and the header text; returns the header and where the data starts.
    static func read(_ bytes: [UInt8]) throws -> (header: NPYHeader, dataOffset: Int) {
        guard bytes.count >= 10 else { throw DecodeFailure("bad npy header: file is truncated") }
        let major = bytes[6]
        let lengthStart = 8
        let length: Int
        let textStart: Int
        switch major {
        case 1:
            length = Int(bytes[8]) | Int(bytes[9]) << 8
            textStart = lengthStart + 2
        case 2, 3:  // 3.0 only allows UTF-8 in the header; the layout is 2.0's
            guard bytes.count >= 12 else { throw DecodeFailure("bad npy header: file is truncated") }
            length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            textStart = lengthStart + 4
        default:
            throw DecodeFailure("bad npy header: format version \(major).\(bytes[7]) is not supported (1.0, 2.0)")
        }
        guard length <= maximumLength else {
            throw DecodeFailure("bad npy header: header claims \(length) bytes; the limit is \(maximumLength)")
        }
        guard bytes.count - textStart >= length else {
            throw DecodeFailure("bad npy header: header claims \(length) bytes, file has \(bytes.count - textStart)")
        }
        var parser = NPYDictParser(text: Array(bytes[textStart..<(textStart + length)]))
        return (try parser.header(), textStart + length)
    }
}

/// Just enough of Python literal syntax for numpy's header: strings, booleans, int tuples.
struct NPYDictParser {
    enum Value {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    let text: [UInt8]
    var i = 0

    init(text: [UInt8]) { self.text = text }

    mutating func header() throws -> NPYHeader {
        var entries: [String: Value] = [:]
        try expect("{")
        while true {
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; break }
            guard case .string(let key) = try value() else { throw bad("expected a quoted key") }
            try expect(":")
            entries[key] = try value()
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
            } else if peek != UInt8(ascii: "}") {
                throw bad("expected ',' or '}'")
            }
        }
        guard case .string(let descr)? = entries["descr"] else { throw bad("no 'descr' string") }
        guard case .bool(let fortran)? = entries["fortran_order"] else { throw bad("no 'fortran_order' flag") }
        guard case .tuple(let shape)? = entries["shape"] else { throw bad("no 'shape' tuple") }
        return NPYHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }

    private var peek: UInt8? { i < text.count ? text[i] : nil }

    private mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D { i += 1 }
    }

    private mutating func expect(_ c: Character) throws {
        skipSpace()
        guard peek == c.asciiValue else { throw bad("expected '\(c)'") }
        i += 1
    }

    private mutating func value() throws -> Value {
        skipSpace()
        guard let c = peek else { throw bad("header ends early") }
        switch c {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            i += 1
            let start = i
            while let d = peek, d != c { i += 1 }
            guard peek == c else { throw bad("unterminated string") }
            defer { i += 1 }
            return .string(String(decoding: text[start..<i], as: UTF8.self))
        case UInt8(ascii: "("):
            i += 1
            return .tuple(try tupleBody())
        default:
            for (word, flag) in [("True", true), ("False", false)] where text[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return .bool(flag)
            }
            throw bad("unexpected character at offset \(i)")
        }
    }

    /// Integers up to ')', allowing a trailing comma and Python 2's 'L' suffix.
    private mutating func tupleBody() throws -> [Int] {
        var items: [Int] = []
        while true {
            skipSpace()
            if peek == UInt8(ascii: ")") { i += 1; return items }
            var n = 0, digits = 0
            while let d = peek, (0x30...0x39).contains(d) {
                n = n * 10 + Int(d - 0x30)
                digits += 1
                i += 1
                guard n <= 1 << 40 else { throw bad("dimension is too large") }
            }
            guard digits > 0 else { throw bad("expected a dimension in 'shape'") }
            if peek == UInt8(ascii: "L") { i += 1 }
            items.append(n)
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
            } else if peek != UInt8(ascii: ")") {
                throw bad("expected ',' or ')' in 'shape'")
            }
        }
    }

    private func bad(_ what: String) -> DecodeFailure {
        DecodeFailure("bad npy header: \(what)")
    }
}
