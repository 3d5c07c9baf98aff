// Every error the socket answers has one shape, so clients parse a single format.

/// `{"error":{"code":…,"message":…}}`: the body of every 4xx and 5xx answer.
struct HTTPErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }

    var error: Detail

    /// The error body as bytes.
    static func render(code: String, message: String) -> [UInt8] {
        JSONBody.bytes(HTTPErrorBody(error: Detail(code: code, message: message)))
    }
}
