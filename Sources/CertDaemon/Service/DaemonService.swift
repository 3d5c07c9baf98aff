import CertCore
import CertPipeline
import CertStore
import CertSystem
import Certify
import Foundation

/// The socket API's view of the pipeline (CONTRACTS.md §3): JSON bodies, statuses, metrics.
///
/// `@unchecked Sendable`: immutable (only `let`s), and what it holds is safe to share: the
/// pipeline, health and states lock themselves, `reloader` is `@Sendable`, and the logger writes
/// one whole line per call.
public final class DaemonService: CertificationService, @unchecked Sendable {
    /// certssbd's version, as GET /v1/version reports it.
    public static let version = "0.1.0"
    let pipeline: CertificationPipeline
    let started = Date()
    /// Called by POST /v1/reload (the daemon re-reads its config file, as on SIGHUP); returns
    /// the changed keys that need a restart.
    let reloader: @Sendable () throws -> [String]
    /// Reasons the daemon is degraded (a watch failure, a stale heartbeat).
    let health: HealthState
    /// The services' states (status, pipeline, socket, watch).
    let states: ServiceStates
    /// Uploads get the same journal line with fields as watch-folder files, so
    /// `journalctl CERTSSB_SHA256=…` finds a verdict whichever way the image came.
    let log: JournalLogger

    /// A service over `pipeline`; `reloader` does what SIGHUP does and returns the keys that need a
    /// restart. Without `log`, a journal logger at the config's level.
    public init(
        pipeline: CertificationPipeline, health: HealthState = HealthState(), states: ServiceStates = ServiceStates(),
        log: JournalLogger? = nil, reloader: @escaping @Sendable () throws -> [String]
    ) {
        self.pipeline = pipeline
        self.health = health
        self.states = states
        self.log = log ?? JournalLogger(threshold: pipeline.config.logThreshold)
        self.reloader = reloader
    }

    static func json<Body: Encodable>(_ body: Body, status: Int = 200) -> ServiceReply {
        ServiceReply(status: status, body: JSONBody.bytes(body))
    }

    private static let verdictDecoder = JSONDecoder()

    /// Queues the upload and answers its verdict JSON once committed (200), logging it with journal
    /// fields. Throws the pipeline's `ServiceError` (422, 429, 500, 503).
    public func certify(upload: [UInt8], source: String) async throws -> ServiceReply {
        let verdict = try await pipeline.submit(bytes: upload, source: source)
        log.log(
            .info, "upload via \(source): label \(verdict.label) radius \(verdict.radius)",
            fields: verdict.journalFields.merging(["CERTSSB_SOURCE": source]) { $1 })
        return ServiceReply(status: 200, body: verdict.jsonBytes())
    }

    /// The stored verdict JSON of `sha256` in the current engine's store. Throws `ServiceError` 404
    /// when there is none, the store's error for a malformed hash.
    public func verdict(sha256: String) async throws -> ServiceReply {
        guard let bytes = try pipeline.currentEngine.store.getVerdict(sha256: sha256) else {
            throw ServiceError(status: 404, code: "not_found", message: "no verdict for \(sha256) with this model set")
        }
        return ServiceReply(status: 200, body: bytes)
    }

    /// Up to `limit` arrivals after sequence `after`, each with its verdict, and `next` for the
    /// following page.
    public func list(after: UInt64, limit: Int) async throws -> ServiceReply {
        let store = pipeline.currentEngine.store
        let rows = try store.listArrivals(after: after, limit: limit)
        let items = try rows.map { seq, sha in
            let verdict = try store.getVerdict(sha256: sha).flatMap { try? Self.verdictDecoder.decode(Verdict.self, from: Data($0)) }
            return VerdictPageBody.Item(seq: seq, sha256: sha, verdict: verdict)
        }
        return Self.json(VerdictPageBody(items: items, next: rows.last?.0 ?? after))
    }

    /// The JSON of GET /v1/stats.
    public func stats() async -> ServiceReply {
        let c = pipeline.counters.snapshot, engine = pipeline.currentEngine
        return Self.json(
            StatsBody(
                state: pipeline.state.rawValue, queueDepth: pipeline.queueDepth, verdicts: c.verdicts,
                certified: c.certified, rejected: c.rejected, busySeconds: c.busySeconds,
                uptimeSeconds: Date().timeIntervalSince(started), modelSet: engine.modelSet.id,
                modelSetDirectory: engine.modelSet.directory, storeDirectory: engine.databaseDirectory,
                nModels: engine.modelSet.count, regions: engine.ledger.regionCount))
    }

    /// Prometheus text: counters, failures by code, the latency histogram and the model set in use.
    public func metrics() async -> String {
        let c = pipeline.counters.snapshot, engine = pipeline.currentEngine
        return """
            # HELP certssbd_verdicts_total Verdicts committed.
            # TYPE certssbd_verdicts_total counter
            certssbd_verdicts_total \(c.verdicts)
            # HELP certssbd_certified_total Verdicts with certified=true.
            # TYPE certssbd_certified_total counter
            certssbd_certified_total \(c.certified)
            # HELP certssbd_rejected_total Uploads refused because the queue was full.
            # TYPE certssbd_rejected_total counter
            certssbd_rejected_total \(c.rejected)
            # HELP certssbd_busy_seconds_total Seconds spent certifying batches.
            # TYPE certssbd_busy_seconds_total counter
            certssbd_busy_seconds_total \(c.busySeconds)
            # HELP certssbd_queue_depth Images waiting to be certified.
            # TYPE certssbd_queue_depth gauge
            certssbd_queue_depth \(pipeline.queueDepth)
            # HELP certssbd_regions Regions in the storage-update store.
            # TYPE certssbd_regions gauge
            certssbd_regions \(pipeline.currentEngine.ledger.regionCount)
            # HELP certssbd_failures_total Images answered with an error, by error code.
            # TYPE certssbd_failures_total counter
            \(c.failures.sorted { $0.key < $1.key }.map { "certssbd_failures_total{code=\(PrometheusText.label($0.key))} \($0.value)\n" }.joined())\
            # HELP certssbd_verdict_seconds Time from an image's arrival to its answer.
            # TYPE certssbd_verdict_seconds histogram
            \(zip(LatencyHistogram.bounds, c.latency.counts).map { "certssbd_verdict_seconds_bucket{le=\"\($0)\"} \($1)\n" }.joined())\
            certssbd_verdict_seconds_bucket{le="+Inf"} \(c.latency.count)
            certssbd_verdict_seconds_sum \(c.latency.sum)
            certssbd_verdict_seconds_count \(c.latency.count)
            # HELP certssbd_model_set_info The model set in use (value 1).
            # TYPE certssbd_model_set_info gauge
            certssbd_model_set_info{id=\(PrometheusText.label(engine.modelSet.id)),models="\(engine.modelSet.count)"} 1
            # HELP certssbd_build_info The running build, its model set and the OpenBLAS kernel it computes with (value 1).
            # TYPE certssbd_build_info gauge
            certssbd_build_info{version=\(PrometheusText.label(Self.version)),model_set=\(PrometheusText.label(engine.modelSet.id)),blas_kernel=\(PrometheusText.label(BLAS.coreName))} 1
            \(PrometheusText.processSeries(ProcessStats.current()))
            """
    }

    /// The loaded plugins (name, version, path, description) and the refused files.
    public func triggers() async -> ServiceReply {
        let registry = pipeline.currentEngine.triggers
        return Self.json(
            TriggersBody(
                plugins: registry.plugins.map { .init(name: $0.name, version: $0.version, path: $0.path, description: $0.description) },
                refused: registry.refusals.map { .init(path: $0.path, reason: $0.reason) }))
    }

    /// Runs `reloader`; `{"reloaded":true,"model_set":…,"restart_needed":[…]}`, or `ServiceError`
    /// 500 `reload_failed` with the reason.
    public func reload() async throws -> ServiceReply {
        let restart: [String]
        do { restart = try reloader() } catch {
            throw ServiceError(status: 500, code: "reload_failed", message: "reload failed, the old state keeps serving: \(error)")
        }
        return Self.json(ReloadBody(reloaded: true, modelSet: pipeline.currentEngine.modelSet.id, restartNeeded: restart))
    }

    /// `ready` (200), `degraded` with its reasons (200: uploads are still certified), or the
    /// pipeline's state while starting, reloading or draining (503).
    public func health() async -> ServiceReply {
        let problems = health.problems, services = states.snapshot
        if pipeline.state == .ready && !problems.isEmpty {
            return Self.json(HealthBody(status: "degraded", reasons: problems, services: services))
        }
        return Self.json(HealthBody(status: pipeline.state.rawValue, services: services), status: pipeline.state == .ready ? 200 : 503)
    }

    /// `{"config":{"alpha":"0.001",…},"restart_needed_keys":[…]}`: the running values as
    /// certssbd.conf spells them (no key holds a secret).
    public func config() async -> ServiceReply {
        let values = Dictionary(uniqueKeysWithValues: pipeline.config.effectiveValues.map { ($0.key, $0.value) })
        return Self.json(ConfigBody(config: values, restartNeededKeys: DaemonConfig.restartOnlyKeys))
    }

    /// One journal line per request with the client's credentials (CERTSSB_PEER_UID, _GID,
    /// _PID): uploads and reloads at info, reads at debug, refusals (403) at warning.
    public func log(request: RequestRecord) {
        let level: JournalLogger.Priority = request.status == 403 ? .warning : (["POST", "PUT"].contains(request.method) ? .info : .debug)
        var fields = ["CERTSSB_HTTP_METHOD": request.method, "CERTSSB_HTTP_STATUS": String(request.status)]
        var who = "unknown client"
        if let p = request.peer {
            fields["CERTSSB_PEER_UID"] = String(p.uid); fields["CERTSSB_PEER_GID"] = String(p.gid);
            fields["CERTSSB_PEER_PID"] = String(p.pid)
            who = "uid \(p.uid) gid \(p.gid) pid \(p.pid)"
        }
        log.log(level, "\(request.method) \(request.target) \(request.status) (\(who))", fields: fields)
    }

    /// `{"version":…,"name":"certssbd"}`.
    public func version() -> ServiceReply { Self.json(VersionBody(version: Self.version, name: "certssbd")) }

    /// A stream of committed verdicts (GET /v1/events).
    public func events() -> AsyncStream<[UInt8]> {
        let live = pipeline.events.subscribe()
        return AsyncStream { continuation in
            let task = Task {
                for await event in live { continuation.yield(event.json) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Subscribes first, then replays the store after `after`, then passes on live events with a
    /// larger sequence: an event committed during the replay is in one of the two, never both.
    public func events(after: UInt64?) -> AsyncStream<VerdictEvent> {
        let live = pipeline.events.subscribe()
        guard let after else { return live }
        let store = pipeline.currentEngine.store
        return AsyncStream { continuation in
            let task = Task {
                var last = after
                do {
                    while true {
                        let page = try store.listArrivals(after: last, limit: 256)
                        for (seq, sha) in page {
                            guard let json = try store.getVerdict(sha256: sha) else { continue }
                            continuation.yield(VerdictEvent(arrival: seq, json: json))
                            last = seq
                        }
                        if page.count < 256 { break }
                    }
                } catch {
                    continuation.finish()  // the store failed: end the stream, the client reconnects
                    return
                }
                for await event in live where (event.arrival ?? .max) > last { continuation.yield(event) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
