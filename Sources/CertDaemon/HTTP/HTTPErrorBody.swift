// Every error the socket answers has one shape, so clients parse a single format.

enum HTTPErrorBody {
    /// `{"error":{"code":…,"message":…}}` as bytes.
    static func render(code: String, message: String) -> [UInt8] {
        Array("{\"error\":{\"code\":\(quote(code)),\"message\":\(quote(message))}}".utf8)
    }

    /// A JSON string literal; hand-rolled to keep Foundation out of the hot path.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
