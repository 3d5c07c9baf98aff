import CertStore
import CertTestSupport
import Certify
import Foundation

@testable import CertPipeline

/// A pipeline on a small random model set (three models: quick to load and to certify) in
/// a temporary state folder, and synthetic digits to feed it. Not started: tests set the
/// batching first.
struct PipelineFixture {
    let state: TemporaryDirectory
    var config = DaemonConfig()
    let digits: [[UInt8]]

    init(modelSeed: UInt32 = 1, stateDirectory: String? = nil) throws {
        state = try TemporaryDirectory("pipeline")
        config.modelSet = try TestModelSets.random(count: 3, seed: modelSeed)
        config.stateDir = stateDirectory ?? state.path
        config.watchDir = ""
        config.workers = 1
        config.sigmaRule = .fixed
        config.triggerReports = false
        digits = try SyntheticImages.digitPNGs(8)
    }

    func start() throws -> CertificationPipeline {
        let pipeline = try CertificationPipeline(config: config)
        pipeline.start()
        return pipeline
    }
}

/// Answers of `submit(bytes:source:reply:)`, in the order they were submitted.
final class Replies: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<Verdict, ServiceError>] = [:]
    private var submitted = 0

    /// Submits `bytes` now (on the calling thread, so the queue order is the call order).
    func submit(_ bytes: [UInt8], to pipeline: CertificationPipeline, source: String = "test") {
        let i = lock.withLock {
            defer { submitted += 1 }; return submitted
        }
        pipeline.submit(bytes: bytes, source: source) { result in self.lock.withLock { self.results[i] = result } }
    }

    var count: Int { lock.withLock { results.count } }

    /// Waits until every submitted image is answered; the answers in submission order.
    func all() async throws -> [Result<Verdict, ServiceError>] {
        try await Wait.untilAsync { lock.withLock { results.count == submitted } }
        return lock.withLock { (0..<submitted).compactMap { results[$0] } }
    }
}

/// Holds the batcher in `beforeBatch` until the test releases it.
final class Stall: @unchecked Sendable {
    private let condition = NSCondition()
    private var holding = false, released = false

    /// Blocks (on the batcher thread) until `release()`; returns at once after it.
    func hold() {
        condition.withLock {
            holding = true
            condition.broadcast()
            while !released { condition.wait() }
            holding = false
        }
    }

    var isHolding: Bool { condition.withLock { holding } }

    func release() {
        condition.withLock {
            released = true; condition.broadcast()
        }
    }
}

/// Counts the batches the batcher takes (it runs `beforeBatch` once per batch).
final class BatchCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var count: Int { lock.withLock { n } }
}

extension Result where Success == Verdict, Failure == ServiceError {
    var verdict: Verdict? { try? get() }
    var error: ServiceError? { if case let .failure(e) = self { e } else { nil } }
}

extension CertificationPipeline {
    /// `drain()` blocks until the queue is empty; run it off the cooperative pool's thread.
    func drainAsync() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                self.drain(); done.resume()
            }.start()
        }
    }
}
