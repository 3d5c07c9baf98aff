import CertCore
import Foundation

/// The conformance test's view of CertCore's `JSONValue` (it keeps booleans, numbers and null
/// apart, which JSONSerialization's NSNumber does not: the schema checks need `true` never to
/// pass for a number).
extension JSONValue {
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }

    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }

    /// The value at `path` (object keys) replaced by `new`, or removed when `new` is nil: how
    /// the tests break the document on purpose.
    func replacing(_ path: [String], with new: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var o) = self else { return new ?? self }
        if path.count == 1 {
            o[key] = new
        } else if let child = o[key] {
            o[key] = child.replacing(Array(path.dropFirst()), with: new)
        }
        return .object(o)
    }

    /// The value at a local JSON pointer (`#/components/schemas/Verdict`).
    func resolve(pointer: String) -> JSONValue? {
        guard pointer.hasPrefix("#/") else { return nil }
        var value: JSONValue? = self
        for token in pointer.dropFirst(2).split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            value = value?[key]
        }
        return value
    }
}
