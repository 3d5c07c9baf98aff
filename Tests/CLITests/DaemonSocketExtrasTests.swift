import CertData
import CertShape
import Foundation
import Testing

/// What curl users reach for: HEAD, `-T`, `-F`, and resuming the event stream by its ids.
/// Only the shipped model set and generated images: no ../shared needed.
@Suite struct DaemonSocketExtrasTests {
    static func png(_ seed: Int) throws -> [UInt8] {
        try PNGEncoder.encode(
            DecodedImage(
                shape: ImageShape(channels: 1, height: 28, width: 28),
                pixels: (0..<784).map { Float(($0 * (seed + 3) + seed * 17) % 256) / 255 }))
    }

    func file(_ daemon: RunningDaemon, _ bytes: [UInt8]) throws -> String {
        let path = daemon.folder.file("upload-\(UUID().uuidString.prefix(8)).png")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func headPutAndMultipartUploads() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        let head = try daemon.curl(["-sI", "http://localhost/v1/health"]).out
        #expect(head.hasPrefix("HTTP/1.1 200") && head.lowercased().contains("content-length:"), "\(head)")

        let a = try file(daemon, try Self.png(1)), b = try file(daemon, try Self.png(2))
        let put = try daemon.curl(["-T", a, "-w", "\n%{http_code}", "http://localhost/v1/certify"]).out
        #expect(put.hasSuffix("\n200") && put.contains("\"sha256\""), "curl -T: \(put)")
        let form = try daemon.curl(["-F", "file=@\(b)", "-w", "\n%{http_code}", "http://localhost/v1/certify"]).out
        #expect(form.hasSuffix("\n200"), "curl -F: \(form)")
        let formVerdict = try JSONSerialization.jsonObject(with: Data(form.split(separator: "\n").first!.utf8)) as? [String: Any]
        let direct = try daemon.certify(try Self.png(2))
        #expect(
            direct.code == 200 && (formVerdict?["sha256"] as? String).map { direct.body.contains($0) } == true,
            "the file part is the image itself: same sha256 as the raw upload")
        let noFile = try daemon.curl([
            "-F", "note=hello;type=text/plain", "-F", "x=y", "-w", "\n%{http_code}", "http://localhost/v1/certify",
        ]).out
        #expect(noFile.hasSuffix("\n422") || noFile.hasSuffix("\n415"), "\(noFile)")
        let broken = try daemon.curl([
            "-H", "Content-Type: multipart/form-data", "--data-binary", "@\(a)", "-w", "\n%{http_code}",
            "http://localhost/v1/certify",
        ]).out
        #expect(broken.hasSuffix("\n415") && broken.contains("raw bytes"), "\(broken)")
    }

    @Test func eventsCarryIdsAndLastEventIDResumes() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        var shas: [String] = []
        for seed in 10..<13 {
            let reply = try daemon.certify(try Self.png(seed))
            #expect(reply.code == 200, "\(reply.body)")
            let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
            shas.append(object?["sha256"] as? String ?? "")
        }
        // Resume after the first: the other two are replayed, with their ids, in order.
        let replay = try daemon.curl(["-N", "-m", "3", "-H", "Last-Event-ID: 1", "http://localhost/v1/events"]).out
        let ids = replay.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) }
        #expect(ids == ["2", "3"], "\(replay)")
        #expect(replay.contains(shas[1]) && replay.contains(shas[2]) && !replay.contains(shas[0]))
        let query = try daemon.curl(["-N", "-m", "3", "http://localhost/v1/events?after=2"]).out
        #expect(query.split(separator: "\n").filter { $0.hasPrefix("id: ") } == ["id: 3"], "\(query)")
        let head = try daemon.curl(["-sI", "-m", "3", "http://localhost/v1/events"]).out
        #expect(head.hasPrefix("HTTP/1.1 200") && head.contains("text/event-stream"), "\(head)")
    }

    @Test func metricsCarryBuildInfoAndProcessSeries() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        let text = try daemon.curl(["http://localhost/metrics"]).out
        let metrics = PrometheusText.parse(text)
        #expect(metrics.errors.isEmpty, "\(metrics.errors)")
        #expect(
            metrics.samples.keys.contains {
                $0.hasPrefix("certssbd_build_info{version=\"0.1.0\",model_set=\"") && $0.contains(",blas_kernel=\"")
            }, "\(text)")
        #expect((metrics.samples["process_resident_memory_bytes"] ?? 0) > 1e6)
        #expect(metrics.types["process_cpu_seconds_total"] == "counter" && (metrics.samples["process_cpu_seconds_total"] ?? 0) > 0)
        let started = metrics.samples["process_start_time_seconds"] ?? 0
        #expect(abs(started - Date().timeIntervalSince1970) < 600, "started \(started)")
        #expect((metrics.samples["process_open_fds"] ?? 0) >= 3 && (metrics.samples["process_max_fds"] ?? 0) >= 64)
    }
}
