import CertClient
import CertData
import CertShape
import Foundation
import Testing

/// 32 concurrent socket clients, 200 mixed requests each (certify, get, list, events), while a
/// prober hits /v1/health: every request succeeds or is an explicit 429/503 under backpressure,
/// every health probe answers, and certssbd's peak RSS stays bounded. Latencies are printed for
/// the record (never asserted: machines are shared).
@Suite(.serialized) struct DaemonLoadTests {
    /// Thread-safe tallies of the run. `@unchecked Sendable`: every field behind `lock`.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var statuses: [Int: Int] = [:]
        private(set) var failures: [String] = []
        private(set) var latencies: [Double] = []
        private(set) var health: [Double] = []
        private(set) var healthFailures: [String] = []
        func record(_ status: Int, _ seconds: Double) {
            lock.withLock {
                statuses[status, default: 0] += 1; latencies.append(seconds)
            }
        }
        func fail(_ why: String) { lock.withLock { failures.append(why) } }
        func probe(_ ok: Bool, _ seconds: Double, _ why: String) {
            lock.withLock { if ok { health.append(seconds) } else { healthFailures.append(why) } }
        }
        var snapshot: (statuses: [Int: Int], failures: [String], latencies: [Double], health: [Double], healthFailures: [String]) {
            lock.withLock { (statuses, failures, latencies, health, healthFailures) }
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    @Test(.timeLimit(.minutes(10)))
    func thirtyTwoClientsTwoHundredRequestsEach() throws {
        let daemon = try RunningDaemon(extra: ["--max_queue", "256"])
        defer { _ = daemon.stop() }
        let client = UnixHTTPClient(socketPath: daemon.socket)
        // 96 distinct images: the first upload of each is certified, later ones come from the store.
        let images: [[UInt8]] = try (0..<96).map { (seed: Int) -> [UInt8] in
            let pixels: [Float] = (0..<784).map { (i: Int) -> Float in Float((i * (seed + 7) + seed * 3) % 256) / 255 }
            return try PNGEncoder.encode(DecodedImage(shape: ImageShape(channels: 1, height: 28, width: 28), pixels: pixels))
        }
        let first = try client.request("POST", "/v1/certify", body: images[0])
        try #require(first.status == 200, "\(String(decoding: first.body, as: UTF8.self))")
        let knownSHA = (try JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])?["sha256"] as? String ?? ""

        let tally = Tally()
        let done = DispatchGroup()
        let stop = NSCondition()
        nonisolated(unsafe) var finished = false  // read and written under `stop`
        let prober = Thread {
            while stop.withLock({ !finished }) {
                let start = Date()
                do {
                    let r = try client.request("GET", "/v1/health")
                    tally.probe(r.status == 200, Date().timeIntervalSince(start), "status \(r.status)")
                } catch { tally.probe(false, 0, "\(error)") }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        prober.start()
        for c in 0..<32 {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                for i in 0..<200 {
                    let start = Date()
                    do {
                        let status: Int
                        switch (c + i) % 4 {
                        case 0: status = try client.request("POST", "/v1/certify", body: images[(c * 200 + i) % images.count]).status
                        case 1: status = try client.request("GET", "/v1/verdicts/\(knownSHA)").status
                        case 2: status = try client.request("GET", "/v1/verdicts?after=\(i)&limit=10").status
                        default:
                            // The replay from arrival 0 holds at least the first verdict, so this ends at once.
                            var got = 0
                            try client.events("/v1/events?after=0") { _ in
                                got += 1; return false
                            }
                            status = got == 1 ? 200 : 0
                        }
                        tally.record(status, Date().timeIntervalSince(start))
                        if ![200, 429, 503].contains(status) { tally.fail("client \(c) request \(i): status \(status)") }
                    } catch { tally.fail("client \(c) request \(i): \(error)") }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        stop.withLock { finished = true }
        let peakKB =
            (try? String(contentsOfFile: "/proc/\(daemon.process.pid)/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let r = tally.snapshot
        #expect(r.failures.isEmpty, "\(r.failures.prefix(10))")
        #expect(r.statuses.values.reduce(0, +) == 32 * 200, "\(r.statuses)")
        #expect(r.healthFailures.isEmpty && r.health.count >= 5, "\(r.healthFailures.prefix(5)), \(r.health.count) probes")
        #expect(peakKB > 0 && peakKB < 1_500_000, "certssbd peak RSS \(peakKB) kB")
        print(
            String(
                format:
                    "load: %d requests %@; latency p50 %.1f ms p99 %.1f ms; /v1/health p50 %.1f ms p99 %.1f ms over %d probes; certssbd peak RSS %.0f MB",
                r.latencies.count, "\(r.statuses.sorted { $0.key < $1.key })", 1000 * Self.percentile(r.latencies, 0.5),
                1000 * Self.percentile(r.latencies, 0.99), 1000 * Self.percentile(r.health, 0.5), 1000 * Self.percentile(r.health, 0.99),
                r.health.count, Double(peakKB) / 1024))
    }
}
