import Certify

/// Why an image got no verdict, as the socket API answers it: an HTTP status, a short code and
/// a message. The pipeline makes them; the server only writes them.
public struct ServiceError: Error, Sendable {
    /// The HTTP status: 413, 422, 429, 500 or 503.
    public var status: Int
    /// A short machine-readable code (`bad_image`, `queue_full`, `draining`, `store_unavailable`,
    /// …).
    public var code: String
    /// One line for the operator or the client.
    public var message: String
    /// An error from its parts.
    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// 422 when the input itself is bad (non-finite pixels), 500 when a model or plugin failed.
    public init(_ error: CertificationError) {
        self.init(status: error.isInputError ? 422 : 500, code: error.code, message: error.description)
    }
}
