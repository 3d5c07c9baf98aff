@testable import CertDaemon
@testable import CertPipeline
import CertShape
import CertCore
import CertData
import Foundation
import Testing

/// The watchdog pings only while the batcher and the event loop beat: an idle pipeline keeps
/// beating, a stalled batcher stops the pings and turns health degraded, and both recover.
@Suite(.serialized) struct WatchdogTests {
    /// Pings counted from the watchdog's thread. `@unchecked Sendable`: `n` is read and changed
    /// only under `lock`.
    final class Pings: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() { lock.withLock { n += 1 } }
        var count: Int { lock.withLock { n } }
    }

    static func pipeline() throws -> (CertificationPipeline, String) {
        let state = NSTemporaryDirectory() + "certssb-watchdog-\(UUID().uuidString)"
        var config = DaemonConfig()
        config.modelSet = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("model/mnist/onepixel/sigma1.25").path
        config.stateDir = state
        config.watchDir = ""
        config.workers = 1
        config.sigmaRule = .fixed
        config.triggerReports = false
        return (try CertificationPipeline(config: config), state)
    }

    @Test func pingsStopWhileTheBatcherIsStalledAndResumeAfter() async throws {
        let (pipeline, state) = try Self.pipeline()
        defer { try? FileManager.default.removeItem(atPath: state) }
        pipeline.start()
        defer { pipeline.drain() }
        let health = HealthState(), pings = Pings()
        let watchdog = Watchdog(heartbeats: [pipeline.heartbeat], staleAfter: 1.5, health: health) { pings.add() }

        // Idle: the batcher beats while it waits, so an idle daemon is never reported stuck.
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(500))
            #expect(watchdog.check().isEmpty)
        }
        #expect(pings.count == 5 && health.problems.isEmpty)

        // Stall the batcher for 4 s on the next batch.
        pipeline.beforeBatch = { Thread.sleep(forTimeInterval: 4) }
        let png = try PNGEncoder.encode(DecodedImage(shape: ImageShape(channels: 1, height: 28, width: 28),
                                                     pixels: (0..<784).map { Float($0 % 255) / 255 }))
        let answer = Task { try await pipeline.submit(bytes: png, source: "test") }
        try await Task.sleep(for: .milliseconds(2600))
        let before = pings.count
        #expect(watchdog.check() == ["batcher"])
        #expect(pings.count == before, "no ping while the batcher is stalled")
        #expect(health.problems.first?.hasPrefix("batcher: no heartbeat") == true, "\(health.problems)")

        pipeline.beforeBatch = nil
        _ = try await answer.value
        #expect(watchdog.check().isEmpty)
        #expect(pings.count == before + 1 && health.problems.isEmpty)
    }
}
