import CertCore
import CertData
import CertLedger
import Certify
import Foundation
import TriggerKit

/// The daemon's core: uploads and dropped files queue here; a batching thread takes what
/// arrived within the batch window (up to max_batch), certifies it as one micro-batch,
/// applies the storage-update rule, commits, and only then answers and broadcasts.
///
/// `@unchecked Sendable`: `queue`, `engine`, `busy`, `state` and `beforeBatch` are read and
/// written only under `lock` (the public `state` and `beforeBatch` accessors take it).
public final class CertificationPipeline: @unchecked Sendable {
    /// The pipeline's life: `starting` until `start`, `ready` while serving, `reloading` during a
    /// reload (still serving), `draining` after `drain` began, `stopped` once the queue is empty.
    public enum State: String, Sendable { case starting, ready, reloading, draining, stopped }

    struct Pending {
        var bytes: [UInt8]
        var source: String
        var reply: (Result<Verdict, ServiceError>) -> Void
        var arrived = DispatchTime.now()
    }

    private let lock = NSCondition()
    private var queue: [Pending] = []
    private var engine: PipelineEngine
    private var currentState: State = .starting
    /// Where the pipeline is in its life (see `State`).
    public var state: State { lock.withLock { currentState } }
    private var thread: Thread?
    /// Committed verdicts, for the /v1/events streams.
    public let events = EventBroadcaster()
    /// Totals, failures by code and latencies, for /v1/stats, /metrics and STATUS=.
    public let counters = PipelineCounters()
    /// Beaten while waiting for work (at least once a second) and between a batch's steps.
    public let heartbeat = Heartbeat(name: "batcher")
    private var batchHook: (@Sendable () -> Void)?
    /// Tests only: runs on the batcher thread before each batch (to stall it on purpose).
    var beforeBatch: (@Sendable () -> Void)? {
        get { lock.withLock { batchHook } }
        set { lock.withLock { batchHook = newValue } }
    }

    /// Builds the first engine (model set, certifier, plugins, store) from `config`. Throws what
    /// loading throws: `ModelSetError`, `ConfigError`, the store's errors.
    public init(config: DaemonConfig) throws {
        engine = try PipelineEngine(config: config)
    }

    /// The configuration the current engine was built from.
    public var config: DaemonConfig { lock.withLock { engine.config } }
    /// The engine serving now (a reload swaps it between batches).
    public var currentEngine: PipelineEngine { lock.withLock { engine } }

    /// Trigger plugins whose reports each verdict carries.
    public var triggerPluginCount: Int { currentEngine.triggers.plugins.count }

    /// Starts the batcher thread (`certssbd-batcher`); the pipeline is `ready` from here.
    public func start() {
        lock.withLock { currentState = .ready }
        let t = Thread { [weak self] in self?.loop() }
        t.name = "certssbd-batcher"
        t.stackSize = 8 << 20
        thread = t
        t.start()
    }

    /// Queues an image; `reply` runs once its verdict is committed (or it failed).
    public func submit(bytes: [UInt8], source: String, reply: @escaping (Result<Verdict, ServiceError>) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard currentState == .ready || currentState == .reloading else {
            reply(.failure(ServiceError(status: 503, code: "draining", message: "certssbd is stopping"))); return
        }
        guard queue.count < engine.config.maxQueue else {
            counters.add(rejected: 1)
            reply(.failure(ServiceError(status: 429, code: "queue_full", message: "\(queue.count) images are waiting; retry later"))); return
        }
        queue.append(Pending(bytes: bytes, source: source, reply: reply))
        lock.signal()
    }

    /// `submit(bytes:source:reply:)` as an async call: returns the committed verdict or throws the
    /// `ServiceError`.
    public func submit(bytes: [UInt8], source: String) async throws -> Verdict {
        try await withCheckedThrowingContinuation { continuation in
            submit(bytes: bytes, source: source) { continuation.resume(with: $0) }
        }
    }

    /// Images waiting for a batch (the one in progress excluded).
    public var queueDepth: Int { lock.withLock { queue.count } }

    /// Stops taking new work, finishes what is queued, then returns.
    public func drain() {
        lock.lock()
        currentState = .draining
        lock.broadcast()
        while !queue.isEmpty || busy { lock.wait() }
        currentState = .stopped
        lock.broadcast()
        lock.unlock()
        events.finish()
    }

    /// Builds a new engine from `config`; on failure the running one stays and the error is thrown.
    public func reload(_ config: DaemonConfig) throws {
        lock.withLock { currentState = .reloading }
        defer { lock.withLock { if currentState == .reloading { currentState = .ready } } }
        let fresh = try PipelineEngine(config: config, previous: lock.withLock { engine })
        lock.withLock {
            while busy { lock.wait() }
            engine = fresh
        }
    }

    private var busy = false

    private func loop() {
        while true {
            lock.lock()
            while queue.isEmpty && currentState != .draining && currentState != .stopped {
                heartbeat.beat()
                _ = lock.wait(until: Date().addingTimeInterval(1))
            }
            if queue.isEmpty { lock.unlock(); return }
            // The batch window: let a micro-batch form so each model's weights are read once.
            let window = Double(engine.config.batchWindowMs) / 1000
            let deadline = Date().addingTimeInterval(window)
            while queue.count < engine.config.maxBatch && currentState == .ready && lock.wait(until: deadline) {}
            let batch = Array(queue.prefix(engine.config.maxBatch))
            queue.removeFirst(batch.count)
            busy = true
            let engine = self.engine
            let hook = batchHook
            lock.unlock()
            hook?()
            heartbeat.beat()
            process(batch, engine)
            heartbeat.beat()
            lock.withLock { busy = false; lock.broadcast() }
        }
    }

    private func process(_ batch: [Pending], _ engine: PipelineEngine) {
        let started = Date()
        var requests: [(Pending, CertificationRequest)] = []
        var done: [(Pending, Result<Verdict, ServiceError>)] = []
        for item in batch {
            do {
                let image = try ImageDecoder.decode(item.bytes, source: item.source, expecting: engine.shape, maxValues: engine.config.maxPixels)
                let sha = Checksum.sha256Hex(item.bytes)
                if let known = try engine.ledger.storedVerdict(sha256: sha) {
                    done.append((item, .success(known)))  // same bytes, same model set: the stored verdict
                } else if let twin = requests.first(where: { $0.1.sha256 == sha }) {
                    requests.append((item, twin.1))       // decided once below, answered twice
                } else {
                    requests.append((item, CertificationRequest(pixels: image.pixels, sha256: sha, source: item.source)))
                }
            } catch let error as ImageDecodingError {
                done.append((item, .failure(ServiceError(status: 422, code: "bad_image", message: error.description))))
            } catch {
                done.append((item, .failure(ServiceError(status: 503, code: "store_unavailable", message: "could not read the store: \(error)"))))
            }
        }
        var unique: [CertificationRequest] = []
        for (_, r) in requests where !unique.contains(where: { $0.sha256 == r.sha256 }) { unique.append(r) }
        if !unique.isEmpty {
            // Per image: a verdict, or why there is none (non-finite pixels: 422; a model or
            // plugin that produced non-finite values: 500). The others go on.
            let certified = engine.certifier.certify(unique, targets: engine.certifier.targets(unique, perturbations: engine.allPerturbations))
            heartbeat.beat()
            var good: [(CertificationRequest, Verdict)] = []
            var failed: [String: ServiceError] = [:]
            for (request, result) in zip(unique, certified) {
                switch result {
                case let .success(v): good.append((request, v))
                case let .failure(e): failed[request.sha256] = ServiceError(e)
                }
            }
            let reports = engine.certifier.triggerReports(good.map(\.0), good.map(\.1), perturbations: engine.perturbations)
            heartbeat.beat()
            var ready: [(CertificationRequest, Verdict)] = []
            for ((request, verdict), report) in zip(good, reports) {
                switch report {
                case let .success(triggers):
                    var v = verdict
                    v.triggers = triggers
                    ready.append((request, v))
                case let .failure(e): failed[request.sha256] = ServiceError(e)
                }
            }
            do {
                let committed = try engine.ledger.commit(ready)
                let bySha = Dictionary(uniqueKeysWithValues: zip(ready.map(\.0.sha256), committed.map(\.verdict)))
                for (item, r) in requests {
                    if let v = bySha[r.sha256] { done.append((item, .success(v))) } else { done.append((item, .failure(failed[r.sha256]!))) }
                }
                for v in committed { events.publish(v.verdict) }
                counters.add(certified: committed.filter { $0.verdict.certified }.count, total: committed.count,
                             seconds: Date().timeIntervalSince(started))
            } catch let error as StorageUpdate.NonFiniteInput {
                for (item, r) in requests {
                    done.append((item, .failure(failed[r.sha256] ?? ServiceError(status: 500, code: "internal", message: error.description))))
                }
            } catch {
                for (item, r) in requests {
                    done.append((item, .failure(failed[r.sha256] ?? ServiceError(status: 503, code: "store_unavailable", message: "could not commit: \(error)"))))
                }
            }
        }
        for (item, result) in done {
            item.reply(result)
            counters.record(result, seconds: Double(DispatchTime.now().uptimeNanoseconds - item.arrived.uptimeNanoseconds) / 1e9)
        }
    }
}

/// Fan-out of committed verdicts to the /v1/events streams.
///
/// `@unchecked Sendable`: `subscribers` is read and changed only under `lock`; continuations are
/// yielded to outside it (`AsyncStream.Continuation` is itself thread-safe).
public final class EventBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<[UInt8]>.Continuation] = [:]

    /// A new stream of committed verdicts' JSON, from now on; it unsubscribes itself when the
    /// consumer stops.
    public func subscribe() -> AsyncStream<[UInt8]> {
        AsyncStream { continuation in
            let id = UUID()
            lock.withLock { subscribers[id] = continuation }
            continuation.onTermination = { [weak self] _ in self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) } }
        }
    }

    func publish(_ verdict: Verdict) {
        let bytes = verdict.jsonBytes()
        for c in lock.withLock({ Array(subscribers.values) }) { c.yield(bytes) }
    }

    func finish() { for c in lock.withLock({ Array(subscribers.values) }) { c.finish() } }
}
