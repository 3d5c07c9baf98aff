import CertCore
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

@testable import CertPipeline

/// The watchdog pings only while the batcher and the event loop beat: an idle pipeline keeps
/// beating, a stalled batcher stops the pings and turns health degraded, and both recover.
/// The stall is held by the test, not timed, so a slow machine only makes it longer.
@Suite struct WatchdogTests {
    final class Pings: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() { lock.withLock { n += 1 } }
        var count: Int { lock.withLock { n } }
    }

    @Test func pingsStopWhileTheBatcherIsStalledAndResumeAfter() async throws {
        let fixture = try PipelineFixture()
        let pipeline = try fixture.start()
        defer { pipeline.drain() }
        let health = HealthState(), pings = Pings()
        // The batcher beats at least once a second; 3 s leaves room for a loaded machine.
        let watchdog = Watchdog(heartbeats: [pipeline.heartbeat], staleAfter: 3, health: health) { pings.add() }

        // Idle: the batcher beats while it waits, so an idle daemon is never reported stuck.
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(500))
            #expect(watchdog.check().isEmpty)
        }
        #expect(pings.count == 5 && health.problems.isEmpty)

        // Stall the batcher on the next batch until the test releases it.
        let stall = Stall()
        pipeline.beforeBatch = { stall.hold() }
        let answer = Task { try await pipeline.submit(bytes: fixture.digits[0], source: "test") }
        #expect(try await Wait.untilAsync { stall.isHolding })
        #expect(try await Wait.untilAsync(every: 0.1) { watchdog.check() == ["batcher"] }, "\(health.problems)")
        let before = pings.count
        #expect(watchdog.check() == ["batcher"])
        #expect(pings.count == before, "no ping while the batcher is stalled")
        #expect(health.problems.first?.hasPrefix("batcher: no heartbeat") == true, "\(health.problems)")

        pipeline.beforeBatch = nil
        stall.release()
        _ = try await answer.value
        #expect(watchdog.check().isEmpty)
        #expect(pings.count == before + 1 && health.problems.isEmpty)
        withExtendedLifetime(fixture) {}  // its folder is the state directory
    }
}
