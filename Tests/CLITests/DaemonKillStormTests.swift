import CertClient
import CertCore
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Crash safety: 1000 files streamed into the inbox and 200 socket uploads alongside, while
/// certssbd is SIGKILLed at 20 seeded random moments and restarted each time. Afterwards every
/// image has exactly one verdict, every file is in processed/ or failed/ with its sidecar,
/// every upload the socket acknowledged is in the store, mdb_stat reads it, and the regions
/// agree with the verdicts.
@Suite(.serialized) struct DaemonKillStormTests {
    /// Uploads acknowledged with a verdict. `@unchecked Sendable`: behind `lock`.
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private var shas: Set<String> = []
        func add(_ sha: String) { lock.withLock { _ = shas.insert(sha) } }
        var all: Set<String> { lock.withLock { shas } }
    }

    static func png(_ seed: Int) throws -> [UInt8] {
        let pixels: [Float] = (0..<784).map { (i: Int) -> Float in Float((i &* (seed + 11) &+ seed &* 7) % 256) / 255 }
        return try PNGEncoder.encode(DecodedImage(shape: ImageShape(channels: 1, height: 28, width: 28), pixels: pixels))
    }

    @Test(.timeLimit(.minutes(15)))
    func twentyKillsLoseNothingAndDuplicateNothing() throws {
        let folder = try TemporaryDirectory("killstorm")
        let files = 1000, uploads = 200
        var generator = SeededGenerator(seed: 2026_12_01)
        let kills = (0..<20).map { _ in 0.3 + Double(generator.next() % 1000) / 1000 * 1.2 }  // seconds between kills
        let images = try (0..<(files + uploads)).map(Self.png)
        var daemon = try RunningDaemon(reusing: folder)
        let staging = folder.file("staging"), inbox = folder.file("inbox"), socket = folder.file("certssbd.sock")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)

        // Files arrive by rename (atomic), a few at a time, while the daemon dies and restarts.
        let writer = Thread {
            for i in 0..<files {
                let name = String(format: "img%04d.png", i)
                try? Data(images[i]).write(to: URL(fileURLWithPath: staging + "/" + name))
                _ = rename(staging + "/" + name, inbox + "/" + name)
                if i % 20 == 19 { Thread.sleep(forTimeInterval: 0.05) }
            }
        }
        writer.start()
        let acknowledged = Acknowledged()
        let uploaders = DispatchGroup()
        for u in 0..<2 {
            uploaders.enter()
            Thread {
                defer { uploaders.leave() }
                let client = UnixHTTPClient(socketPath: socket)
                for k in stride(from: u, to: uploads, by: 2) {
                    let bytes = images[files + k]
                    // Retry until acknowledged: a kill in flight loses the reply, never the verdict.
                    let deadline = Date().addingTimeInterval(240)
                    while Date() < deadline {
                        if let r = try? client.request("POST", "/v1/certify", body: bytes), r.status == 200 {
                            acknowledged.add(Checksum.sha256Hex(bytes)); break
                        }
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                }
            }.start()
        }
        for pause in kills {
            Thread.sleep(forTimeInterval: pause)
            daemon.sendSignal(SIGKILL)
            daemon.process.wait()
            daemon = try RunningDaemon(reusing: folder)
            #expect(daemon.process.isRunning, "\(daemon.log)")
        }
        defer { if daemon.process.isRunning { _ = daemon.stop() } }
        uploaders.wait()
        while writer.isExecuting { Thread.sleep(forTimeInterval: 0.1) }

        // After the last start: the inbox drains.
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline && !daemon.files(in: daemon.inbox).isEmpty { Thread.sleep(forTimeInterval: 0.2) }
        #expect(daemon.files(in: daemon.inbox).isEmpty, "left in the inbox: \(daemon.files(in: daemon.inbox).prefix(5))")

        // Every file moved once, with its sidecar (a name taken twice would get a -1 suffix).
        let processed = Set(daemon.files(in: daemon.processed)), failed = Set(daemon.files(in: daemon.failed))
        for i in 0..<files {
            let name = String(format: "img%04d.png", i)
            let done = processed.contains(name) && processed.contains(name + ".verdict.json")
            let refused = failed.contains(name) && failed.contains(name + ".error.json")
            #expect(done != refused, "\(name): processed \(done), failed \(refused)")
        }
        #expect(!processed.contains { $0.contains("-1.png") }, "a file was moved twice")

        // Exactly one stored verdict per distinct image, in arrival order; every acknowledged
        // upload among them; one region per verdict.
        let client = UnixHTTPClient(socketPath: daemon.socket)
        var arrivals: [String] = [], after = 0
        while true {
            let page = try client.request("GET", "/v1/verdicts?after=\(after)&limit=1000")
            let object = try JSONSerialization.jsonObject(with: Data(page.body)) as? [String: Any]
            let items = object?["items"] as? [[String: Any]] ?? []
            arrivals += items.compactMap { $0["sha256"] as? String }
            guard let next = object?["next"] as? Int, !items.isEmpty else { break }
            after = next
        }
        let expected = Set(images.map(Checksum.sha256Hex))
        #expect(arrivals.count == Set(arrivals).count, "\(arrivals.count - Set(arrivals).count) duplicate verdicts")
        #expect(
            Set(arrivals) == expected, "missing \(expected.subtracting(arrivals).count), extra \(Set(arrivals).subtracting(expected).count)"
        )
        #expect(acknowledged.all.count == uploads, "\(acknowledged.all.count) of \(uploads) uploads acknowledged")
        #expect(acknowledged.all.isSubset(of: Set(arrivals)), "an acknowledged upload is missing from the store")
        let stats = try JSONSerialization.jsonObject(with: Data(try client.request("GET", "/v1/stats").body)) as? [String: Any]
        #expect(stats?["regions"] as? Int == arrivals.count, "\(String(describing: stats))")
        let store = try #require(stats?["store_directory"] as? String)
        #expect(LMDBUtils.entries("verdicts", store: store) == arrivals.count, "mdb_stat reads the store")
        #expect(LMDBUtils.entries("regions", store: store) == arrivals.count)

        // The regions are what the storage-update gives when replayed from the stored verdicts in
        // arrival order (certssbd --check-store, with the daemon stopped).
        #expect(daemon.stop() == 0)
        let check = try CLI.run(
            program: try #require(RunningDaemon.executable),
            [
                "--model-set", RunningDaemon.shippedModelSet, "--socket", socket, "--watch", inbox, "--state", folder.file("state"),
                "--sigma_rule", "fixed", "--check-store",
            ], timeout: 300)
        #expect(check.status == 0, "\(check.out)")
        #expect(check.out.contains("\(arrivals.count) regions, \(arrivals.count) arrivals, 0 mismatches"), "\(check.out)")
    }
}
