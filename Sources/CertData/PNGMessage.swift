import CPNG

extension png_image {
    /// libpng's NUL-terminated error or warning text.
    var messageText: String {
        var copy = message
        let text = withUnsafeBytes(of: &copy) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? "unknown libpng error" : text
    }
}
