import CertCore
import CertTestSupport
import Certify
import Foundation
import Testing

@testable import CertPipeline

/// A reload swaps the whole engine between batches: a batch in flight finishes on the engine
/// it started with, the reload returns only after it, and what comes after is certified by
/// the new model set into its own store.
@Suite struct PipelineReloadTests {
    @Test func aReloadWaitsForTheBatchInFlightThenSwaps() async throws {
        let fixture = try PipelineFixture(modelSeed: 1)
        let pipeline = try fixture.start()
        let old = pipeline.currentEngine
        var fresh = fixture.config
        fresh.modelSet = try TestModelSets.random(count: 3, seed: 2)

        let stall = Stall()
        pipeline.beforeBatch = { stall.hold() }
        let replies = Replies()
        replies.submit(fixture.digits[0], to: pipeline)
        #expect(try await Wait.untilAsync { stall.isHolding }, "the batch was taken")
        replies.submit(fixture.digits[1], to: pipeline)  // queued behind the stalled batch

        let reloaded = Flag()
        let config = fresh
        Thread {
            do { try pipeline.reload(config) } catch { Issue.record("reload failed: \(error)") }
            reloaded.set()
        }.start()
        // The new engine opens its own store first; then the reload has only the swap left.
        let stores = old.databaseDirectory.split(separator: "/").dropLast().joined(separator: "/")
        #expect(try await Wait.untilAsync { Self.entries("/" + stores).count == 2 }, "the new store was opened")
        // Give a wrong swap a moment to happen; the batch is still held.
        try await Task.sleep(for: .seconds(1))
        #expect(!reloaded.isSet && pipeline.currentEngine === old, "swapped under a batch in flight")
        #expect(pipeline.state == .reloading)

        pipeline.beforeBatch = nil
        stall.release()
        #expect(try await Wait.untilAsync { reloaded.isSet })
        let answers = try await replies.all()
        let inFlight = try #require(answers[0].verdict, "\(answers[0])")
        #expect(inFlight.modelSet == old.modelSet.id, "finished on the engine it started with")
        #expect(try old.ledger.storedVerdict(sha256: inFlight.sha256) == inFlight)
        let engine = pipeline.currentEngine
        let freshID = try ModelSet.load(directory: fresh.modelSet).id
        #expect(engine !== old && freshID != old.modelSet.id && engine.modelSet.id == freshID)
        #expect(pipeline.state == .ready)

        // The queued image went to whichever engine took its batch, and into that one's store.
        let queued = try #require(answers[1].verdict, "\(answers[1])")
        let owner = queued.modelSet == old.modelSet.id ? old : engine
        #expect(queued.modelSet == old.modelSet.id || queued.modelSet == engine.modelSet.id)
        #expect(try owner.ledger.storedVerdict(sha256: queued.sha256) == queued)

        // After the swap: the new set certifies, into its own store, even bytes the old one knew.
        let after = try await pipeline.submit(bytes: fixture.digits[0], source: "test")
        #expect(after.modelSet == engine.modelSet.id)
        #expect(try engine.ledger.storedVerdict(sha256: after.sha256) == after)
        await pipeline.drainAsync()
        withExtendedLifetime(fixture) {}  // its folder is the state directory
    }

    static func entries(_ folder: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    }
}

/// A flag set once, read from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
