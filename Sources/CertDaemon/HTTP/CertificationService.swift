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
    /// GET /v1/stats: state, queue depth, totals, uptime, model set, store directory, regions.
    func stats() async -> ServiceReply
    /// Prometheus text exposition.
    func metrics() async -> String
    /// GET /v1/triggers: the loaded plugins and the refused files with their reasons.
    func triggers() async -> ServiceReply
    /// POST /v1/reload: re-reads config, model set and plugins; throws `ServiceError` (500) when
    /// the reload failed and the old state serves on.
    func reload() async throws -> ServiceReply
    /// GET /v1/health: 200 `ready` or `degraded`, 503 while starting, reloading or draining.
    func health() async -> ServiceReply
    /// GET /v1/version.
    func version() -> ServiceReply
    /// One JSON verdict per committed verdict; ends when the subscriber goes away.
    func events() -> AsyncStream<[UInt8]>
    /// Committed verdicts with their arrival sequence numbers (the SSE `id:`). With `after`,
    /// first every stored verdict whose sequence is larger, in order, then the live ones, with
    /// none missed or repeated in between (`Last-Event-ID` resumes a stream this way).
    func events(after: UInt64?) -> AsyncStream<VerdictEvent>
    /// The effective configuration, key by key (GET /v1/config).
    func config() async -> ServiceReply
    /// Called on the event loop after each answer's head is written: must not block.
    func log(request: RequestRecord)
}

extension CertificationService {
    /// The default: requests are not logged (test services).
    public func log(request: RequestRecord) {}

    /// The default for services without arrival numbers (test services): `events()`, no ids,
    /// no replay.
    public func events(after: UInt64?) -> AsyncStream<VerdictEvent> {
        let plain = events()
        return AsyncStream { continuation in
            let task = Task {
                for await json in plain { continuation.yield(VerdictEvent(arrival: nil, json: json)) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The default for services without a configuration (test services): 404 `not_found`.
    public func config() async -> ServiceReply {
        ServiceReply(status: 404, body: HTTPErrorBody.render(code: "not_found", message: "no configuration here"))
    }
}

/// A status and a JSON body, ready to send.
public struct ServiceReply: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The JSON body, already encoded.
    public var body: [UInt8]
    /// A reply from its parts.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// A failure the client should see as such (429 queue full, 503 draining, 422 not an image…),
/// rendered as `{"error":{"code":..,"message":..}}`.
