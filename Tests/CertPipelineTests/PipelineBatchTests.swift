import CertCore
import CertTestSupport
import Certify
import Foundation
import Testing

@testable import CertPipeline

/// The batcher in process: what arrives within the batch window is certified as one
/// micro-batch, and the same bytes are certified once however often they come.
@Suite struct PipelineBatchTests {
    /// The window is two minutes, so the order of arrival, not the clock, decides what a batch
    /// holds: a batch closes when it is full (max_batch) or when the pipeline drains.
    static func longWindow(maxBatch: Int) throws -> PipelineFixture {
        var fixture = try PipelineFixture()
        fixture.config.batchWindowMs = 120_000
        fixture.config.maxBatch = maxBatch
        return fixture
    }

    @Test func imagesArrivingWithinTheWindowShareOneBatch() async throws {
        let fixture = try Self.longWindow(maxBatch: 4)
        let pipeline = try fixture.start()
        let batches = BatchCounter()
        pipeline.beforeBatch = { batches.add() }
        let replies = Replies()
        for png in fixture.digits.prefix(4) { replies.submit(png, to: pipeline) }

        let first = try await replies.all()
        #expect(batches.count == 1, "four images within the window, one batch")
        #expect(first.compactMap(\.verdict).map(\.sha256) == fixture.digits.prefix(4).map { Checksum.sha256Hex($0) })
        #expect(pipeline.counters.snapshot.verdicts == 4)

        // A fifth image opens a window of its own; draining closes it early and answers it.
        replies.submit(fixture.digits[4], to: pipeline)
        await pipeline.drainAsync()
        let all = try await replies.all()
        #expect(batches.count == 2)
        #expect(all.count == 5 && all[4].verdict?.sha256 == Checksum.sha256Hex(fixture.digits[4]), "\(all[4])")
        #expect(pipeline.state == .stopped)
        withExtendedLifetime(fixture) {}  // its folder is the state directory
    }

    @Test func duplicateUploadsAreCertifiedOnceAndAnsweredEach() async throws {
        let fixture = try Self.longWindow(maxBatch: 4)
        let pipeline = try fixture.start()
        let events = EventLog(pipeline.events.subscribe())
        let (a, b, c) = (fixture.digits[0], fixture.digits[1], fixture.digits[2])
        let replies = Replies()
        for png in [a, b, a, c] { replies.submit(png, to: pipeline) }  // one batch, a twice

        let answers = try await replies.all().map { try #require($0.verdict, "\($0)") }
        #expect(answers[0] == answers[2], "the twin gets the same verdict")
        #expect(answers.map(\.sha256) == [a, b, a, c].map { Checksum.sha256Hex($0) })
        #expect(pipeline.counters.snapshot.verdicts == 3, "three certifications for four uploads")
        let engine = pipeline.currentEngine
        #expect(engine.ledger.regionCount == 3)
        #expect(try engine.ledger.storedVerdict(sha256: answers[0].sha256) == answers[0])
        #expect(try await events.wait(for: 3).count == 3, "one event per stored verdict")

        // Later, the same bytes again: the stored verdict, not a new certification.
        replies.submit(a, to: pipeline)
        await pipeline.drainAsync()
        let again = try await replies.all()[4]
        #expect(again.verdict == answers[0], "\(again)")
        #expect(pipeline.counters.snapshot.verdicts == 3)
        #expect(engine.ledger.regionCount == 3)
        #expect(events.count == 3, "nothing new was committed")
        withExtendedLifetime(fixture) {}
    }
}

/// What a `/v1/events` subscriber would receive, collected off the cooperative pool.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [[UInt8]] = []

    init(_ stream: AsyncStream<VerdictEvent>) {
        Task(executorPreference: TestExecutors.background) { [self] in
            for await event in stream { lock.withLock { items.append(event.json) } }
        }
    }

    var count: Int { lock.withLock { items.count } }

    func wait(for n: Int) async throws -> [[UInt8]] {
        try await Wait.untilAsync { count >= n }
        return lock.withLock { items }
    }
}
