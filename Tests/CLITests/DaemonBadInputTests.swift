import CertCore
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Bad input against a running certssbd: each gets a clear error, the daemon keeps serving
/// and no file leaves the inbox without a verdict or an error record.
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, Paths.executableSkipReason))
struct DaemonBadInputTests {
    /// A 32×32 grey PNG: a real image, but not the model set's 1×28×28.
    static func wrongShapePNG() throws -> [UInt8] {
        let shape = ImageShape(channels: 1, height: 32, width: 32)
        return try PNGEncoder.encode(DecodedImage(shape: shape, pixels: (0..<shape.count).map { Float($0 % 7) / 7 }))
    }

    /// Writes `request` on a fresh connection to `socket`, optionally closes early, and returns what came back.
    static func raw(_ socket: String, _ request: [UInt8], hangUp: Bool = false) throws -> String {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let connected = withUnixAddress(socket) { connect(fd, $0, $1) }
        guard connected == 0 else { throw CLIError("connect: \(String(cString: strerror(errno)))") }
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if hangUp { return "" }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test func badRequestsGetClearErrorsAndTheDaemonKeepsServing() throws {
        let daemon = try RunningDaemon(extra: ["--max_upload_bytes", "4K"])
        defer { _ = daemon.stop() }
        let good = try DaemonTests.digits(2, offset: 5)
        func errorMessage(_ body: String) -> String {
            let error = ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["error"] as? [String: Any]
            return error?["message"] as? String ?? ""
        }

        let text = try daemon.certify(Array("not an image".utf8))
        #expect(text.code == 422 && !errorMessage(text.body).isEmpty, "\(text)")
        let shape = try daemon.certify(Self.wrongShapePNG())
        #expect(shape.code == 422 && errorMessage(shape.body).contains("28"), "names the expected shape: \(shape)")
        let truncated = try daemon.certify(Array(good[0].prefix(good[0].count / 2)))
        #expect(truncated.code == 422 && !errorMessage(truncated.body).isEmpty, "\(truncated)")
        let big = try daemon.certify([UInt8](repeating: 0x89, count: 5000))
        #expect(big.code == 413 && errorMessage(big.body).contains("4096"), "names the limit: \(big)")
        let unknown = try daemon.curl(["-w", "\n%{http_code}", "http://localhost/v1/verdicts/" + String(repeating: "ab", count: 32)]).out
        #expect(unknown.hasSuffix("\n404"), "\(unknown)")

        let malformed = try Self.raw(daemon.socket, Array("HELLO THERE\r\n\r\n".utf8))
        #expect(malformed.hasPrefix("HTTP/1.1 400"), "\(malformed)")
        // A client that promises 3000 bytes, sends 100 and leaves.
        let head = "POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n"
        _ = try Self.raw(daemon.socket, Array(head.utf8) + Array(good[0].prefix(100)), hangUp: true)

        // Still serving: the good image is certified and nothing bad was stored.
        let after = try daemon.certify(good[1])
        #expect(after.code == 200, "\(after) \(daemon.log)")
        let items = try daemon.json("/v1/verdicts?limit=100")?["items"] as? [[String: Any]] ?? []
        #expect(items.compactMap { $0["sha256"] as? String } == [Checksum.sha256Hex(good[1])])
        let metrics = PrometheusText.parse(try daemon.curl(["http://localhost/metrics"]).out)
        #expect(metrics.samples["certssbd_failures_total{code=\"bad_image\"}"] == 3, "text, wrong shape, truncated")
        #expect(daemon.stop() == 0, "\(daemon.log)")
    }

    @Test func badFilesInTheInboxAreMovedToFailedWithAReason() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        let good = try DaemonTests.digits(1, offset: 7)[0]
        let drops: [String: [UInt8]] = [
            "notes.txt": Array("not an image".utf8),
            "wide.png": try Self.wrongShapePNG(),
            "cut.png": Array(good.prefix(good.count / 2)),
            "empty.png": [],
            "good.png": good,
        ]
        for (name, bytes) in drops { try Data(bytes).write(to: URL(fileURLWithPath: daemon.inbox + "/" + name)) }

        let errors = daemon.waitForFiles(in: daemon.failed, suffix: ".error.json", count: 4)
        #expect(
            Set(errors) == ["notes.txt.error.json", "wide.png.error.json", "cut.png.error.json", "empty.png.error.json"], "\(daemon.log)")
        #expect(daemon.waitForFiles(in: daemon.processed, suffix: ".verdict.json", count: 1) == ["good.png.verdict.json"])
        // Nothing lost: every dropped file is kept, byte for byte, beside its record.
        #expect(daemon.files(in: daemon.inbox).isEmpty)
        for (name, bytes) in drops {
            let folder = name == "good.png" ? daemon.processed : daemon.failed
            #expect(FileManager.default.contents(atPath: folder + "/" + name) == Data(bytes), "\(name)")
        }
        let record =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.failed + "/wide.png.error.json")))
            as? [String: Any]
        let reason = record?["error"] as? String ?? ""
        #expect(reason.contains("28"), "\(String(describing: record))")
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"))
    }

    @Test func aMissingPluginFolderIsAWarningAndTheDaemonServes() throws {
        let daemon = try RunningDaemon(extra: ["--plugin-dir", "/nonexistent/certssb-plugins"])
        defer { _ = daemon.stop() }
        #expect(daemon.log.contains("<4>trigger plugin refused: /nonexistent/certssb-plugins: cannot read plugin folder"), "\(daemon.log)")
        #expect(daemon.log.contains("<4>no trigger plugins loaded"), "\(daemon.log)")
        let upload = try daemon.certify(DaemonTests.digits(1)[0])
        let verdict = try JSONSerialization.jsonObject(with: Data(upload.body.utf8)) as? [String: Any]
        #expect(upload.code == 200 && (verdict?["triggers"] as? [Any])?.isEmpty == true, "\(upload)")
    }

    @Test func triggerReportsCanBeTurnedOff() throws {
        let daemon = try RunningDaemon(extra: ["--trigger_reports", "no"])
        defer { _ = daemon.stop() }
        let upload = try daemon.certify(DaemonTests.digits(1, offset: 9)[0])
        let verdict = try JSONSerialization.jsonObject(with: Data(upload.body.utf8)) as? [String: Any]
        #expect(upload.code == 200 && (verdict?["triggers"] as? [Any])?.isEmpty == true, "\(upload)")
        #expect(daemon.log.contains("trigger plugins: blending, fourpixel, onepixel"), "plugins still load: \(daemon.log)")
    }

    @Test(.enabled(if: RunningDaemon.executable != nil, Paths.executableSkipReason))
    func aConfigWithATypoStopsTheDaemonWithTheLine() throws {
        let folder = try TemporaryDirectory("typo")
        let config = folder.file("certssbd.conf")
        try "# certssbd\nworkers = 2\nmax_uplaod_bytes = 1M\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try SpawnedProcess(
            RunningDaemon.executable!,
            [
                "--config", config, "--socket", folder.file("s.sock"),
                "--state", folder.file("state"),
            ], stderr: folder.file("stderr"))
        daemon.wait(timeout: 60)
        let message = (try? String(contentsOfFile: folder.file("stderr"), encoding: .utf8)) ?? ""
        #expect(!daemon.signalled && daemon.code == 2, "\(message)")
        #expect(message.contains("certssbd.conf:3") && message.contains("max_uplaod_bytes"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("s.sock")), "nothing is served with a bad config")
    }
}
