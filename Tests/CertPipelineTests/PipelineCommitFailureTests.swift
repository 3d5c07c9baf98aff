import CertCore
import CertTestSupport
import Certify
import Foundation
import Testing

@testable import CertPipeline

/// A commit that fails (the store's disk is full) answers 503 with the reason, stores and
/// broadcasts nothing, leaves no region behind in memory, and the pipeline goes on serving:
/// stored verdicts are still read, and once there is room the same image is certified as if
/// the failure had never happened.
@Suite(.enabled(if: PrivateTmpfs.available, "skipped: needs root and unshare(1) for a private tmpfs"))
struct PipelineCommitFailureTests {
    @Test func aFailedCommitIsAnErrorAndNothingIsKept() async throws {
        let disk = try PrivateTmpfs(megabytes: 4)
        let fixture = try PipelineFixture(stateDirectory: disk.path + "/state")
        let pipeline = try fixture.start()
        let events = EventLog(pipeline.events.subscribe())
        let (first, second) = (fixture.digits[0], fixture.digits[1])
        let stored = try await pipeline.submit(bytes: first, source: "test")

        try disk.fill()
        let refused = await Self.answer(pipeline, second)
        #expect(refused.error?.status == 503 && refused.error?.code == "store_unavailable", "\(refused)")
        #expect(refused.error?.message.contains("No space left on device") == true, "\(refused)")
        let engine = pipeline.currentEngine
        #expect(try engine.ledger.storedVerdict(sha256: Checksum.sha256Hex(second)) == nil)
        #expect(engine.ledger.regionCount == 1, "the failed batch's region left the in-memory index")
        #expect(pipeline.counters.snapshot.verdicts == 1)
        // Failures are counted just after the reply.
        #expect(try await Wait.untilAsync { pipeline.counters.snapshot.failures["store_unavailable"] == 1 })
        // Still serving: a stored verdict needs no room.
        #expect(try await pipeline.submit(bytes: first, source: "test") == stored)

        disk.empty()
        let certified = try await pipeline.submit(bytes: second, source: "test")
        #expect(try engine.ledger.storedVerdict(sha256: certified.sha256) == certified)
        #expect(engine.ledger.regionCount == 2)
        #expect(try await events.wait(for: 2).count == 2, "one event per committed verdict, none for the failed one")

        // The same two images into a store that never failed: the same verdict for the second.
        let referenceFixture = try PipelineFixture()
        let reference = try referenceFixture.start()
        _ = try await reference.submit(bytes: first, source: "test")
        var expected = try await reference.submit(bytes: second, source: "test")
        expected.createdAt = certified.createdAt
        #expect(certified == expected)
        await reference.drainAsync()
        await pipeline.drainAsync()
        withExtendedLifetime((disk, referenceFixture)) {}  // their folders hold the stores
    }

    static func answer(_ pipeline: CertificationPipeline, _ bytes: [UInt8]) async -> Result<Verdict, ServiceError> {
        do { return .success(try await pipeline.submit(bytes: bytes, source: "test")) } catch let error as ServiceError {
            return .failure(error)
        } catch {
            return .failure(ServiceError(status: 0, code: "unexpected", message: "\(error)"))
        }
    }
}
