import CertCore
import CertTestSupport
import Foundation
import Testing

/// certssbd's lifecycle outside systemd: started by systemd-socket-activate with a test-owned
/// NOTIFY_SOCKET, restarted on its own state and inbox, reloaded with SIGHUP.
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, Paths.executableSkipReason))
struct DaemonLifecycleTests {
    static let socketActivate = "/usr/bin/systemd-socket-activate"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: socketActivate), "skipped: systemd-socket-activate is not installed"))
    func socketActivationAdoptsTheSocketAndNotifies() throws {
        let folder = try TemporaryDirectory("activate")
        let notify = try NotifyListener(path: folder.file("notify"))
        // systemd-socket-activate binds certssbd.sock and execs certssbd at the first connection;
        // --socket names a different path, which the daemon must not bind when it gets fd 3.
        let daemon = try RunningDaemon(
            extra: ["--socket", folder.file("self-bound.sock")], reusing: folder,
            launcher: [
                Self.socketActivate, "-l", folder.file("certssbd.sock"), "-E", "NOTIFY_SOCKET=\(notify.path)",
                "-E", "WATCHDOG_USEC=1000000",
            ],
            waitForSocket: false)
        defer { _ = daemon.stop() }
        Wait.until { FileManager.default.fileExists(atPath: daemon.socket) }
        #expect(notify.messages.isEmpty, "nothing runs before the first connection")

        // The first request starts the daemon and is answered once the models are loaded.
        #expect(try daemon.curl(["-m", "120", "http://localhost/v1/health"]).out.contains("ready"), "\(daemon.log)")
        #expect(notify.wait { $0.contains("READY=1") }, "\(notify.messages) \(daemon.log)")
        #expect(notify.wait { $0.contains("STATUS=") })
        #expect(notify.assignments.contains { $0.hasPrefix("STATUS=queue ") }, "\(notify.messages)")
        // WATCHDOG_USEC=1 s: pings every half second while the batcher and the event loop beat.
        #expect(notify.wait { $0.contains("WATCHDOG=1") }, "\(notify.messages)")
        #expect(daemon.log.contains("serving on the socket systemd passed"), "\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("self-bound.sock")))

        let png = try DaemonTests.digits(1)[0]
        #expect(try daemon.certify(png).code == 200)
        #expect(daemon.stop() == 0, "\(daemon.log)")
        #expect(notify.wait { $0.contains("STOPPING=1") }, "\(notify.messages)")
    }

    @Test func verdictsSurviveARestartAndTheInboxIsCaughtUp() throws {
        let folder = try TemporaryDirectory("restart")
        let pngs = try DaemonTests.digits(2, offset: 11)
        let first = try RunningDaemon(reusing: folder)
        let before = try first.certify(pngs[0])
        #expect(before.code == 200, "\(first.log)")
        #expect(first.stop() == 0)

        // Dropped while the daemon is down: found by the scan at start.
        try Data(pngs[1]).write(to: URL(fileURLWithPath: folder.file("inbox/late.png")))
        let second = try RunningDaemon(reusing: folder)
        defer { _ = second.stop() }
        #expect(second.waitForFiles(in: second.processed, suffix: ".verdict.json", count: 1) == ["late.png.verdict.json"], "\(second.log)")
        #expect(second.files(in: second.inbox).isEmpty)

        let sha = Checksum.sha256Hex(pngs[0])
        let stored = try second.json("/v1/verdicts/\(sha)")
        let original = try JSONSerialization.jsonObject(with: Data(before.body.utf8)) as? [String: Any]
        for key in ["sha256", "label", "certified", "radius", "sigma"] {
            #expect("\(stored?[key] ?? "missing")" == "\(original?[key] ?? "missing")", "\(key) changed across the restart")
        }
        let listed = try second.json("/v1/verdicts?limit=10")?["items"] as? [[String: Any]] ?? []
        #expect(listed.compactMap { $0["sha256"] as? String } == [sha, Checksum.sha256Hex(pngs[1])], "arrival order is kept")
        // The stored verdict is served, not recomputed: the new process certified only late.png.
        let metrics = PrometheusText.parse(try second.curl(["http://localhost/metrics"]).out)
        #expect(metrics.samples["certssbd_verdicts_total"] == 1)
        // lmdb-utils read the live store (readers never block the daemon's writer).
        let store = try #require(second.json("/v1/stats")?["store_directory"] as? String)
        #expect(LMDBUtils.entries("verdicts", store: store) == 2)
    }

    @Test func sighupReloadsAndAFailedReloadKeepsServing() throws {
        let folder = try TemporaryDirectory("reload")
        let config = folder.file("certssbd.conf")
        try "# test\nmodel_set = \(RunningDaemon.shippedModelSet)\nlog_level = info\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let daemon = try RunningDaemon(extra: ["--config", config], reusing: folder)
        defer { _ = daemon.stop() }
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"), "\(daemon.log)")

        try "# test\nmodel_set = \(RunningDaemon.shippedModelSet)\nlog_levle = debug\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        daemon.sendSignal(SIGHUP)
        #expect(daemon.waitForLog("reload failed, keeping the running state"), "\(daemon.log)")
        #expect(daemon.log.contains("certssbd.conf:3"), "the error names the line: \(daemon.log)")
        #expect(try daemon.certify(DaemonTests.digits(1)[0]).code == 200, "still serving after a failed reload")

        try "# test\nmodel_set = \(RunningDaemon.shippedModelSet)\nlog_level = debug\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        daemon.sendSignal(SIGHUP)
        #expect(daemon.waitForLog("reloaded: model set"), "\(daemon.log)")
        // The same over the socket: POST /v1/reload answers once the reload is done.
        let viaSocket = try daemon.curl(["-w", "\n%{http_code}", "-X", "POST", "http://localhost/v1/reload"]).out
        #expect(viaSocket.hasSuffix("\n200"), "\(viaSocket)")
        #expect(daemon.log.components(separatedBy: "reloaded: model set").count == 3, "\(daemon.log)")
        #expect(try daemon.certify(DaemonTests.digits(1, offset: 3)[0]).code == 200)
        #expect(daemon.stop() == 0)
    }
}
