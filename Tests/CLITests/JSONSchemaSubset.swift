import CertCore
import Foundation

/// The JSON Schema (2020-12) keywords the OpenAPI document uses, checked strictly: a keyword
/// outside the subset is itself an error, so the document cannot lean on a check that is
/// silently skipped here.
struct JSONSchemaSubset {
    /// The whole document: `$ref`s are local JSON pointers into it.
    let document: JSONValue

    static let assertions: Set<String> = [
        "type", "enum", "required", "properties", "additionalProperties", "items", "$ref", "oneOf", "minimum", "pattern",
    ]
    /// Keywords that describe and do not constrain.
    static let annotations: Set<String> = ["description", "title", "format", "default", "examples", "contentEncoding"]

    /// Everything wrong with `value` under `schema`, each prefixed with where (`$.region.status`).
    func errors(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        switch schema {
        case .bool(true): return []
        case .bool(false): return ["\(path): no value is allowed here"]
        case .object: break
        default: return ["\(path): the schema is not an object or a boolean"]
        }
        let s = schema.object!
        let unknown = Set(s.keys).subtracting(Self.assertions).subtracting(Self.annotations)
        if !unknown.isEmpty { return ["\(path): the schema uses \(unknown.sorted()), which this validator does not check"] }

        var found: [String] = []
        if let ref = s["$ref"]?.string {
            guard let target = document.resolve(pointer: ref) else { return ["\(path): $ref \(ref) does not resolve"] }
            found += errors(value, target, at: path)
        }
        if let type = s["type"] {
            let names = type.array?.compactMap(\.string) ?? type.string.map { [$0] } ?? []
            // A value of the wrong type: the other keywords would only repeat it.
            guard names.contains(where: { Self.has(value, type: $0) }) else {
                return found + ["\(path): expected \(names.joined(separator: " or ")), got \(Self.describe(value))"]
            }
        }
        if let options = s["enum"]?.array, !options.contains(value) {
            found.append("\(path): \(Self.describe(value)) is not one of \(options.map(Self.describe))")
        }
        if let minimum = s["minimum"], case .number(let m) = minimum, case .number(let n) = value, n < m {
            found.append("\(path): \(n) is below the minimum \(m)")
        }
        if let pattern = s["pattern"]?.string, let text = value.string, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \"\(text)\" does not match \(pattern)")
        }
        if let oneOf = s["oneOf"]?.array {
            let passing = oneOf.filter { errors(value, $0, at: path).isEmpty }.count
            if passing != 1 { found.append("\(path): matches \(passing) of the oneOf's \(oneOf.count) schemas, not exactly one") }
        }
        if case .object(let members) = value { found += objectErrors(members, s, at: path) }
        if case .array(let elements) = value, let items = s["items"] {
            for (i, element) in elements.enumerated() { found += errors(element, items, at: "\(path)[\(i)]") }
        }
        return found
    }

    private func objectErrors(_ members: [String: JSONValue], _ s: [String: JSONValue], at path: String) -> [String] {
        var found: [String] = []
        for key in s["required"]?.array?.compactMap(\.string) ?? [] where members[key] == nil {
            found.append("\(path): the required \"\(key)\" is missing")
        }
        let properties = s["properties"]?.object ?? [:]
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            if let property = properties[key] {
                found += errors(member, property, at: "\(path).\(key)")
            } else if let additional = s["additionalProperties"] {
                if additional == .bool(false) {
                    found.append("\(path): \"\(key)\" is not in the document")
                } else {
                    found += errors(member, additional, at: "\(path).\(key)")
                }
            }
        }
        return found
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
            return true
        case ("integer", .number(let n)):
            return n.rounded() == n  // JSON Schema: any number without a fractional part
        default:
            return false
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .string(let s): "\"\(s.prefix(60))\""
        case .array(let a): "an array of \(a.count)"
        case .object: "an object"
        }
    }
}
