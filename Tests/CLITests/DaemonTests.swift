import CertCore
import CertData
import CertTestSupport
import Foundation
import Testing

/// certssbd end to end: a real daemon process, a real watch folder (inotify), a real Unix
/// socket (curl --unix-socket) and a real LMDB store, on the shipped MNIST model set and
/// synthetic digits (the assertions are about the daemon, not about accuracy).
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, Paths.executableSkipReason))
struct DaemonTests {
    /// Synthetic digits `offset ..< offset + n`: distinct images of the shipped set's shape.
    static func digits(_ n: Int, offset: Int = 0) throws -> [[UInt8]] {
        try SyntheticImages.digitPNGs(n, first: offset)
    }

    @Test func watchFolderProcessesEveryFileExactlyOnce() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        #expect(daemon.process.isRunning, "\(daemon.log)")
        let count = 200
        // Every 20th file repeats an earlier image: same bytes, one stored verdict.
        let images = try Self.digits(count).enumerated().map { i, png in i % 20 == 19 ? try Self.digits(1, offset: i - 10)[0] : png }
        let staging = try TemporaryDirectory("staging")
        for (i, png) in images.enumerated() {
            let name = String(format: "digit%03d.png", i)
            if i % 2 == 0 {
                try Data(png).write(to: URL(fileURLWithPath: staging.file(name)))
                try FileManager.default.moveItem(atPath: staging.file(name), toPath: daemon.inbox + "/" + name)
            } else {
                // Opened once and written slowly in pieces: the daemon must wait for the close.
                let fd = open(daemon.inbox + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
                let piece = png.count / 3 + 1
                for chunk in stride(from: 0, to: png.count, by: piece) {
                    handle.write(Data(png[chunk..<min(chunk + piece, png.count)]))
                    Thread.sleep(forTimeInterval: 0.01)
                }
                try handle.close()
            }
        }
        let sidecars = daemon.waitForFiles(in: daemon.processed, suffix: ".verdict.json", count: count)
        #expect(sidecars.count == count, "\(daemon.log)")
        #expect(daemon.files(in: daemon.inbox).isEmpty)
        #expect(daemon.files(in: daemon.failed).isEmpty, "a half-written file was read: \(daemon.files(in: daemon.failed))")
        for name in sidecars {
            let json =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.processed + "/" + name)))
                as! [String: Any]
            let png = try Data(
                contentsOf: URL(fileURLWithPath: daemon.processed + "/" + name.replacingOccurrences(of: ".verdict.json", with: "")))
            #expect(json["sha256"] as? String == Checksum.sha256Hex(png), "the verdict is of the whole file")
        }
        // One stored verdict per distinct image (some digits repeat: same bytes, one verdict).
        let items = try daemon.json("/v1/verdicts?limit=1000")?["items"] as? [[String: Any]] ?? []
        let hashes = items.compactMap { $0["sha256"] as? String }
        #expect(hashes.count == Set(hashes).count, "a verdict was stored twice")
        #expect(Set(hashes) == Set(images.map { Checksum.sha256Hex($0) }))
        #expect(daemon.stop() == 0)
    }

    @Test func socketAPIAnswersWithCurl() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"))

        // Follow the event stream from before the upload; the verdict must arrive on it.
        let eventsFile = daemon.folder.file("events.txt")
        let events = Process()
        events.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        events.arguments = ["-s", "-N", "-m", "300", "--unix-socket", daemon.socket, "-o", eventsFile, "http://localhost/v1/events"]
        try ProcessEnvironment.withShared { try events.run() }
        defer { events.terminate() }
        func streamed() -> String { (try? String(contentsOfFile: eventsFile, encoding: .utf8)) ?? "" }
        Wait.until { streamed().contains(": subscribed") }

        let png = try Self.digits(1)[0]
        let sha = Checksum.sha256Hex(png)
        let upload = try daemon.certify(png)
        let verdict = try JSONSerialization.jsonObject(with: Data(upload.body.utf8)) as? [String: Any]
        #expect(upload.code == 200 && verdict?["sha256"] as? String == sha, "\(upload) \(daemon.log)")
        for key in ["label", "certified", "radius", "sigma", "model_set"] { #expect(verdict?[key] != nil, "verdict lacks \(key)") }

        let stored = try daemon.json("/v1/verdicts/\(sha)")
        #expect(stored?["sha256"] as? String == sha && stored?["label"] as? Int == verdict?["label"] as? Int)
        let listed = try daemon.json("/v1/verdicts?limit=10")?["items"] as? [[String: Any]] ?? []
        #expect(listed.map { $0["sha256"] as? String } == [sha])

        Wait.until { streamed().contains(sha) }
        let eventLine = streamed().split(separator: "\n").first { $0.hasPrefix("data: ") && $0.contains(sha) }
        let event = eventLine.flatMap { try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any] }
        #expect(event?["sha256"] as? String == sha, "events stream: \(streamed())")

        #expect(try daemon.certify(Array("not an image".utf8)).code == 422)
        let metrics = try daemon.curl(["http://localhost/metrics"]).out
        let parsed = PrometheusText.parse(metrics)
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.types["certssbd_verdicts_total"] == "counter")
        #expect(parsed.samples["certssbd_verdicts_total"] == 1)
        #expect(parsed.types["certssbd_verdict_seconds"] == "histogram")
        #expect(parsed.samples["certssbd_verdict_seconds_count"] == 2, "the upload and the 422")
        #expect(parsed.samples["certssbd_verdict_seconds_bucket{le=\"+Inf\"}"] == 2)
        #expect(parsed.samples["certssbd_failures_total{code=\"bad_image\"}"] == 1)
        #expect(parsed.samples.keys.contains { $0.hasPrefix("certssbd_model_set_info{id=\"\(verdict?["model_set"] as? String ?? "?")\"") })
        #expect(daemon.stop() == 0)
    }
}

/// A strict reading of the Prometheus text format (0.0.4): every sample line is
/// `name{labels} value`, and every sample belongs to a metric with a # TYPE line.
struct PrometheusText {
    var types: [String: String] = [:]
    var samples: [String: Double] = [:]
    var errors: [String] = []

    static func parse(_ text: String) -> PrometheusText {
        var result = PrometheusText()
        let sample = try! NSRegularExpression(
            pattern: #"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (\S+)( -?\d+)?$"#)
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    result.errors.append("bad TYPE line: \(line)"); continue
                }
                result.types[String(parts[2])] = String(parts[3])
            } else if line.hasPrefix("#") {
                continue
            } else if let match = sample.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                let nameRange = Range(match.range(at: 1), in: line), let valueRange = Range(match.range(at: 5), in: line)
            {
                let name = String(line[nameRange])
                guard let value = Double(line[valueRange].replacingOccurrences(of: "Inf", with: "inf")) else {
                    result.errors.append("bad value: \(line)"); continue
                }
                let family = ["_bucket", "_sum", "_count"].reduce(name) { n, suffix in
                    n.hasSuffix(suffix) && result.types[n] == nil ? String(n.dropLast(suffix.count)) : n
                }
                if result.types[family] == nil { result.errors.append("no TYPE for \(name)") }
                // Keyed by the series as written: `name` or `name{label="value",…}`.
                result.samples[String(line[..<valueRange.lowerBound].dropLast())] = value
            } else {
                result.errors.append("not a sample: \(line)")
            }
        }
        return result
    }
}
