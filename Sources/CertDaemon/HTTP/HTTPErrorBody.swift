// Every error the socket answers has one shape, so clients parse a single format.

enum HTTPErrorBody {
    /// `{"error":{"code":…,"message":…}}` as bytes.
    static func render(code: String, message: String) -> [UInt8] {
        Array("{\"error\":{\"code\":\(JSONText.quoted(code)),\"message\":\(JSONText.quoted(message))}}".utf8)
    }
}
