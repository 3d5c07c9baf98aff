import CertCore
import CertData
import CertLedger
import CertShape
import Certify
import Foundation
import TriggerKit

/// The daemon's core: uploads and dropped files queue here and flow through two stages on
/// their own threads, so the commit of one micro-batch overlaps the compute of the next:
///
/// 1. On `submit` (the caller's thread): decode and hash. A file that does not decode is
///    answered at once (422) and never queues.
/// 2. Batcher (`certssbd-batcher`): takes what arrived within the batch window (up to
///    max_batch), skips images whose verdict is stored, certifies the rest as one micro-batch
///    with their trigger reports, and hands the batch to the committer.
/// 3. Committer (`certssbd-committer`): in batch order, applies the storage-update rule,
///    commits to LMDB, and only then answers and broadcasts. It is the store's only writer, so
///    its second look for a stored verdict is exact: an image that two batches in flight both
///    certified is stored once and both callers get that verdict.
///
/// At most `maxBatchesAwaitingCommit` computed batches wait for the committer, so a slow disk
/// holds the batcher back instead of piling verdicts up in memory.
///
/// `@unchecked Sendable`: `queue`, `engine`, `busy`, `awaitingCommit`, `committing`, `state` and
/// the two test hooks are read and written only under `lock` (their accessors take it).
public final class CertificationPipeline: @unchecked Sendable {
    /// The pipeline's life: `starting` until `start`, `ready` while serving, `reloading` during a
    /// reload (still serving), `draining` after `drain` began, `stopped` once the queue is empty.
    public enum State: String, Sendable { case starting, ready, reloading, draining, stopped }

    struct Pending {
        var bytes: [UInt8]
        var source: String
        /// SHA-256 of `bytes`: the verdict's key.
        var sha256: String
        /// The decoded pixels, for an engine of `shape` (a reload may change it: then decoded again).
        var pixels: [Float]
        var shape: ImageShape
        var reply: (Result<Verdict, ServiceError>) -> Void
        var arrived = DispatchTime.now()
    }

    /// A micro-batch after the batcher: what is already answered, and what awaits the commit.
    struct ComputedBatch {
        var engine: PipelineEngine
        var started: Date
        /// Answered without a commit (stored verdicts, per-image failures).
        var done: [(Pending, Result<Verdict, ServiceError>)] = []
        /// Every image that needs a commit, with its request (twins share one).
        var requests: [(Pending, CertificationRequest)] = []
        /// Fresh verdicts to commit, one per distinct image, in arrival order.
        var ready: [(CertificationRequest, Verdict)] = []
        /// Why a distinct image has no verdict, by SHA-256.
        var failed: [String: ServiceError] = [:]
    }

    static let maxBatchesAwaitingCommit = 2

    let lock = NSCondition()
    var queue: [Pending] = []
    var engine: PipelineEngine
    private var currentState: State = .starting
    /// Where the pipeline is in its life (see `State`).
    public var state: State { lock.withLock { currentState } }
    private var threads: [Thread] = []
    /// Committed verdicts, for the /v1/events streams.
    public let events = EventBroadcaster()
    /// Totals, failures by code and latencies, for /v1/stats, /metrics and STATUS=.
    public let counters = PipelineCounters()
    /// Beaten by the batcher while waiting for work (at least once a second) and between a
    /// batch's steps.
    public let heartbeat = Heartbeat(name: "batcher")
    /// Beaten by the committer the same way.
    public let commitHeartbeat = Heartbeat(name: "committer")
    /// Both stages' heartbeats, for the watchdog.
    public var heartbeats: [Heartbeat] { [heartbeat, commitHeartbeat] }
    private var batchHook: (@Sendable () -> Void)?
    /// Tests only: runs on the batcher thread before each batch (to stall it on purpose).
    var beforeBatch: (@Sendable () -> Void)? {
        get { lock.withLock { batchHook } }
        set { lock.withLock { batchHook = newValue } }
    }
    private var commitHook: (@Sendable () -> Void)?
    /// Tests only: runs on the committer thread before each commit (to hold it on purpose).
    var beforeCommit: (@Sendable () -> Void)? {
        get { lock.withLock { commitHook } }
        set { lock.withLock { commitHook = newValue } }
    }
    /// The batcher is certifying a batch.
    var busy = false
    /// Computed batches waiting for the committer, oldest first.
    var awaitingCommit: [ComputedBatch] = []
    /// The committer is committing a batch.
    var committing = false

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

    /// Starts the batcher and committer threads; the pipeline is `ready` from here.
    public func start() {
        lock.withLock { currentState = .ready }
        let loops: [(String, @Sendable () -> Void)] = [
            ("certssbd-batcher", { [weak self] in self?.batchLoop() }),
            ("certssbd-committer", { [weak self] in self?.commitLoop() }),
        ]
        for (name, body) in loops {
            let t = Thread(block: body)
            t.name = name
            t.stackSize = 8 << 20
            threads.append(t)
            t.start()
        }
    }

    /// Decodes and queues an image; `reply` runs once its verdict is committed (or it failed:
    /// at once when the bytes do not decode, or the pipeline is stopping or full).
    public func submit(bytes: [UInt8], source: String, reply: @escaping (Result<Verdict, ServiceError>) -> Void) {
        let arrived = DispatchTime.now()
        guard let engine = lock.withLock({ acceptsWork ? engine : nil }) else {
            reply(.failure(Self.stopping)); return
        }
        let pixels: [Float]
        do {
            pixels = try ImageDecoder.decode(bytes, source: source, expecting: engine.shape, maxValues: engine.config.maxPixels).pixels
        } catch {
            let result: Result<Verdict, ServiceError> = .failure(ServiceError(status: 422, code: "bad_image", message: "\(error)"))
            reply(result)
            counters.record(result, seconds: Self.seconds(since: arrived))
            return
        }
        let item = Pending(
            bytes: bytes, source: source, sha256: Checksum.sha256Hex(bytes), pixels: pixels,
            shape: engine.shape, reply: reply, arrived: arrived)
        lock.lock()
        defer { lock.unlock() }
        guard acceptsWork else { reply(.failure(Self.stopping)); return }
        guard queue.count < self.engine.config.maxQueue else {
            counters.add(rejected: 1)
            reply(.failure(ServiceError(status: 429, code: "queue_full", message: "\(queue.count) images are waiting; retry later")));
            return
        }
        queue.append(item)
        lock.broadcast()  // both stages wait on `lock`: a signal could wake the committer instead
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

    /// Stops taking new work, finishes what is queued and commits it, then returns.
    public func drain() {
        lock.lock()
        currentState = .draining
        lock.broadcast()
        while !queue.isEmpty || busy || !awaitingCommit.isEmpty || committing { lock.wait() }
        currentState = .stopped
        lock.broadcast()
        lock.unlock()
        events.finish()
    }

    /// Builds a new engine from `config`; on failure the running one stays and the error is thrown.
    /// The swap waits for the batch being certified; batches awaiting their commit finish with
    /// the engine that certified them.
    public func reload(_ config: DaemonConfig) throws {
        lock.withLock { currentState = .reloading }
        defer { lock.withLock { if currentState == .reloading { currentState = .ready } } }
        let fresh = try PipelineEngine(config: config, previous: lock.withLock { engine })
        lock.withLock {
            while busy { lock.wait() }
            engine = fresh
        }
    }

    /// Under `lock`: uploads are taken (ready or reloading).
    private var acceptsWork: Bool { currentState == .ready || currentState == .reloading }

    /// Under `lock`: the batcher and committer stop once their queues are empty.
    var isStopping: Bool { currentState == .draining || currentState == .stopped }

    static let stopping = ServiceError(status: 503, code: "draining", message: "certssbd is stopping")

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    private func batchLoop() {
        while true {
            lock.lock()
            while queue.isEmpty && !isStopping {
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
            let computed = compute(batch, engine)
            heartbeat.beat()
            lock.withLock {
                busy = false
                while awaitingCommit.count >= Self.maxBatchesAwaitingCommit {
                    heartbeat.beat()  // held back by the disk, not stuck
                    _ = lock.wait(until: Date().addingTimeInterval(1))
                }
                awaitingCommit.append(computed)
                lock.broadcast()
            }
        }
    }

    private func commitLoop() {
        while true {
            lock.lock()
            while awaitingCommit.isEmpty && !(isStopping && queue.isEmpty && !busy) {
                commitHeartbeat.beat()
                _ = lock.wait(until: Date().addingTimeInterval(1))
            }
            if awaitingCommit.isEmpty { lock.unlock(); return }
            let batch = awaitingCommit.removeFirst()
            committing = true
            let hook = commitHook
            lock.broadcast()
            lock.unlock()
            hook?()
            commitHeartbeat.beat()
            commit(batch)
            commitHeartbeat.beat()
            lock.withLock {
                committing = false; lock.broadcast()
            }
        }
    }
}

/// Fan-out of committed verdicts to the /v1/events streams.
///
/// `@unchecked Sendable`: `subscribers` is read and changed only under `lock`; continuations are
/// yielded to outside it (`AsyncStream.Continuation` is itself thread-safe).
public final class EventBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<VerdictEvent>.Continuation] = [:]

    /// A new stream of committed verdicts' JSON, from now on; it unsubscribes itself when the
    /// consumer stops.
    public func subscribe() -> AsyncStream<VerdictEvent> {
        AsyncStream { continuation in
            let id = UUID()
            lock.withLock { subscribers[id] = continuation }
            continuation.onTermination = { [weak self] _ in self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) } }
        }
    }

    func publish(_ verdict: Verdict, arrival: UInt64?) {
        let event = VerdictEvent(arrival: arrival, json: verdict.jsonBytes())
        for c in lock.withLock({ Array(subscribers.values) }) { c.yield(event) }
    }

    func finish() { for c in lock.withLock({ Array(subscribers.values) }) { c.finish() } }
}
