import Crypto
import Foundation

/// The certificate kind: the named fields (mode, bound, alpha, sigma options, ...) that make
/// verdicts comparable. A store holds verdicts of one kind only.
extension CertStore {
    /// `kind` as canonical JSON: one flat object, keys sorted (by UTF-16 code units, as
    /// RFC 8785), no whitespace; strings escape only `"`, `\` and U+0000–U+001F (`\b \f \n
    /// \r \t`, else `\u00xx`), everything else is literal UTF-8. For a flat string map this is
    /// RFC 8785 (JCS) and what Python's `json.dumps(kind, sort_keys=True,
    /// separators=(",", ":"), ensure_ascii=False)` prints.
    public static func canonicalJSON(_ kind: [String: String]) -> String {
        let fields = sortedFields(kind).map { "\(jsonString($0)):\(jsonString(kind[$0]!))" }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// SHA-256 (lowercase hex) of the canonical JSON object
    /// `{"certificate_kind":<canonicalJSON(kind)>,"model_set":"<modelSetID>"}`: it changes
    /// with any field of the kind and with the model set, not with dictionary order. The
    /// daemon names its per-kind store directory after the first 16 hex digits.
    public static func kindDigest(modelSetID: String, kind: [String: String]) -> String {
        let text = "{\"certificate_kind\":" + canonicalJSON(kind) + ",\"model_set\":" + jsonString(modelSetID) + "}"
        return SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The keys in canonical order (UTF-16 code units, RFC 8785).
    static func sortedFields<S: Sequence>(_ keys: S) -> [String] where S.Element == String {
        keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }

    static func sortedFields(_ kind: [String: String]) -> [String] { sortedFields(kind.keys) }

    /// A JSON string literal: `"`, `\` and U+0000–U+001F escaped, everything else literal.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension CertStoreError {
    /// The fields whose values differ between two kinds (including fields only one side
    /// has, as nil on the other), in canonical key order.
    public static func kindDifferences(stored: [String: String], requested: [String: String])
        -> [(field: String, stored: String?, requested: String?)]
    {
        CertStore.sortedFields(Set(stored.keys).union(requested.keys))
            .filter { stored[$0] != requested[$0] }
            .map { ($0, stored[$0], requested[$0]) }
    }
}
