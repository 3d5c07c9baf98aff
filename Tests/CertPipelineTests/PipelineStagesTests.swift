import CertTestSupport
import Foundation
import Testing

@testable import CertPipeline

/// The pipeline's two stages: the commit of one batch overlaps the compute of the next, an image
/// certified by two batches in flight is stored once, and undecodable bytes never wait for a batch.
@Suite struct PipelineStagesTests {
    /// A gate a stage's hook waits on, opened by the test. `@unchecked Sendable`: only the
    /// thread-safe semaphore and the lock-guarded counter are shared.
    final class Gate: @unchecked Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var calls = 0
        /// Counts the call, then blocks until `open` (or 60 s, so a failing test cannot hang).
        func pass() {
            lock.withLock { calls += 1 }
            _ = semaphore.wait(timeout: .now() + 60)
        }
        func open(_ n: Int = 1) { for _ in 0..<n { semaphore.signal() } }
        var count: Int { lock.withLock { calls } }
    }

    /// One image per batch, no window: every submit is its own micro-batch.
    static func pipeline() throws -> (CertificationPipeline, PipelineFixture) {
        var fixture = try PipelineFixture()
        fixture.config.maxBatch = 1
        fixture.config.batchWindowMs = 0
        return (try CertificationPipeline(config: fixture.config), fixture)
    }

    /// Waits (generously) for `condition`; whether it held.
    static func eventually(_ condition: @escaping @Sendable () -> Bool) async throws -> Bool {
        try await Wait.untilAsync { condition() }
    }

    @Test func theNextBatchIsCertifiedWhileTheLastOneCommits() async throws {
        let (pipeline, fixture) = try Self.pipeline()
        let commits = Gate()
        pipeline.beforeCommit = { commits.pass() }
        pipeline.start()
        let a = Task { try await pipeline.submit(bytes: fixture.digits[0], source: "a") }
        #expect(try await Self.eventually { commits.count == 1 }, "the first batch reached the committer")
        let b = Task { try await pipeline.submit(bytes: fixture.digits[1], source: "b") }
        // With the first commit held, the second image is still certified: it waits, computed,
        // for the committer.
        #expect(try await Self.eventually { pipeline.lock.withLock { pipeline.awaitingCommit.count } == 1 })
        #expect(pipeline.queueDepth == 0)
        commits.open(2)
        let (va, vb) = (try await a.value, try await b.value)
        #expect(va.source == "a" && vb.source == "b")
        let arrivals = try pipeline.currentEngine.store.listArrivals(after: 0, limit: 10)
        #expect(arrivals.map(\.1) == [va.sha256, vb.sha256], "committed in arrival order")
        pipeline.drain()
    }

    @Test func anImageCertifiedByTwoBatchesInFlightIsStoredOnce() async throws {
        let (pipeline, fixture) = try Self.pipeline()
        let commits = Gate()
        pipeline.beforeCommit = { commits.pass() }
        pipeline.start()
        let png = fixture.digits[2]
        let first = Task { try await pipeline.submit(bytes: png, source: "first") }
        #expect(try await Self.eventually { commits.count == 1 })
        // The batcher looks for a stored verdict, finds none (the first is not committed), and
        // certifies the same bytes again.
        let second = Task { try await pipeline.submit(bytes: png, source: "second") }
        #expect(try await Self.eventually { pipeline.lock.withLock { pipeline.awaitingCommit.count } == 1 })
        commits.open(2)
        let (v1, v2) = (try await first.value, try await second.value)
        #expect(v1 == v2, "both callers get the one stored verdict (its source is the first's)")
        #expect(try pipeline.currentEngine.store.listArrivals(after: 0, limit: 10).count == 1)
        #expect(pipeline.currentEngine.ledger.regionCount == 1)
        pipeline.drain()
    }

    @Test func undecodableBytesAreAnsweredWhileTheBatcherIsBusy() async throws {
        let (pipeline, fixture) = try Self.pipeline()
        let batches = Gate()
        pipeline.beforeBatch = { batches.pass() }
        pipeline.start()
        let held = Task { try await pipeline.submit(bytes: fixture.digits[3], source: "held") }
        #expect(try await Self.eventually { batches.count == 1 })
        await #expect { try await pipeline.submit(bytes: Array("not an image".utf8), source: "bad") } throws: {
            ($0 as? ServiceError)?.status == 422
        }
        #expect(batches.count == 1, "the bad upload never reached the batcher")
        batches.open(1)
        _ = try await held.value
        pipeline.drain()
    }
}
