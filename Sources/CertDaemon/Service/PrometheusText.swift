/// Prometheus's text exposition format, the parts /metrics needs.
enum PrometheusText {
    /// A quoted label value: the format escapes only backslash, double quote and line feed
    /// (not JSON's rules: a tab or a non-ASCII letter stays as it is).
    static func label(_ value: String) -> String {
        var out = "\""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
