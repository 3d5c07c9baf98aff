import CertPipeline
import Certify
// The boundary between the socket API and the daemon: the server only moves bytes,
// the service owns verdicts, the store and their JSON encoding.

/// What the server asks of the daemon. Bodies are JSON bytes already encoded by the service.
public protocol CertificationService: Sendable {
    /// The verdict JSON, answered only after its commit.
    func certify(upload: [UInt8], source: String) async throws -> ServiceReply
    /// 404 when unknown.
    func verdict(sha256: String) async throws -> ServiceReply
    /// `{"items":[{seq, sha256, verdict}], "next": n}`
    func list(after: UInt64, limit: Int) async throws -> ServiceReply
    func stats() async -> ServiceReply
    /// Prometheus text exposition.
    func metrics() async -> String
    func triggers() async -> ServiceReply
    func reload() async throws -> ServiceReply
    func health() async -> ServiceReply
    func version() -> ServiceReply
    /// One JSON verdict per committed verdict; ends when the subscriber goes away.
    func events() -> AsyncStream<[UInt8]>
    /// The effective configuration, key by key (GET /v1/config).
    func config() async -> ServiceReply
}

extension CertificationService {
    public func config() async -> ServiceReply {
        ServiceReply(status: 404, body: HTTPErrorBody.render(code: "not_found", message: "no configuration here"))
    }
}

/// A status and a JSON body, ready to send.
public struct ServiceReply: Sendable {
    public var status: Int
    public var body: [UInt8]
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// A failure the client should see as such (429 queue full, 503 draining, 422 not an image…),
/// rendered as `{"error":{"code":..,"message":..}}`.
