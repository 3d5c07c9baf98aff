import Foundation

/// The daemon's one way of writing JSON: Codable values through one encoder (sorted keys,
/// unescaped slashes, no newline), the settings of `Verdict.jsonBytes`, so a verdict nested
/// in a reply is byte-for-byte the verdict the store holds.
enum JSONBody {
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Nothing the daemon reports should be non-finite; if something is, it is written as a
        // string rather than failing the reply.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    /// `value` as JSON bytes. The bodies are plain structs of strings, numbers and arrays,
    /// which cannot fail to encode; should one, the reply is `{}` rather than a crash.
    static func bytes<Value: Encodable>(_ value: Value) -> [UInt8] {
        (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
    }
}
