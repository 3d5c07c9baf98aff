import CertTestSupport
import Foundation
import Testing

/// The daemon's own failures are visible: a watch folder that stops working is logged at
/// error priority, turns /v1/health degraded with the reason and is retried; a reload names
/// the keys that only a restart applies. Needs only the shipped set.
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, "needs the built certssbd"))
struct DaemonDefectsTests {
    static func health(_ daemon: RunningDaemon) throws -> [String: Any] {
        try daemon.json("/v1/health") ?? [:]
    }

    @Test func aRemovedInboxDegradesHealthAndIsRecreated() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        try FileManager.default.removeItem(atPath: daemon.inbox)
        // Degraded until the retry 5 s later recreates the inbox: polled often enough to see it.
        var degraded: [String: Any] = [:]
        Wait.until(every: 0.05) {
            degraded = (try? Self.health(daemon)) ?? [:]
            return degraded["status"] as? String == "degraded"
        }
        #expect(degraded["status"] as? String == "degraded", "\(degraded)")
        #expect(((degraded["reasons"] as? [String])?.first ?? "").contains("watch: "), "\(degraded)")
        // "<3>" is LOG_ERR in the stream form of the journal logger.
        #expect(daemon.waitForLog("<3>watch folder: "), "logged at error priority: \(daemon.log)")
        // Retried every 5 s: the inbox comes back and works.
        let healthy = Wait.until(every: 0.1) {
            (try? Self.health(daemon))?["status"] as? String == "ready" && FileManager.default.fileExists(atPath: daemon.inbox)
        }
        let last = try Self.health(daemon)
        #expect(healthy, "\(last)\n\(daemon.log)")
        let png = try SyntheticImages.digitPNGs(1, seed: 5)[0]
        try Data(png).write(to: URL(fileURLWithPath: daemon.folder.file("late.png")))
        try FileManager.default.moveItem(atPath: daemon.folder.file("late.png"), toPath: daemon.inbox + "/late.png")
        #expect(daemon.waitForFiles(in: daemon.processed, suffix: ".verdict.json", count: 1) == ["late.png.verdict.json"], "\(daemon.log)")
    }

    @Test func aReloadNamesTheKeysThatNeedARestart() throws {
        let folder = try TemporaryDirectory("reload-keys")
        let config = folder.file("certssbd.conf")
        try "max_upload_bytes = 16M\nbatch_window_ms = 20\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try RunningDaemon(extra: ["--config", config])
        defer { _ = daemon.stop() }
        try "max_upload_bytes = 8M\nbatch_window_ms = 5\n".write(toFile: config, atomically: true, encoding: .utf8)
        let reply = try daemon.curl(["-X", "POST", "http://localhost/v1/reload"]).out
        let object = (try? JSONSerialization.jsonObject(with: Data(reply.utf8))) as? [String: Any]
        #expect(object?["reloaded"] as? Bool == true, "\(reply)")
        #expect(object?["restart_needed"] as? [String] == ["max_upload_bytes"], "\(reply)")
        #expect(daemon.waitForLog("max_upload_bytes changed but take effect only at a restart"), "\(daemon.log)")
    }
}

/// GET /v1/config: the effective configuration (the route that shows a new route takes three
/// source files: its registration, its requirement and its answer).
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, "needs the built certssbd"))
struct DaemonConfigRouteTests {
    @Test func configAnswersTheEffectiveValuesAndOnlyToGET() throws {
        let daemon = try RunningDaemon(extra: ["--max_upload_bytes", "4K"])
        defer { _ = daemon.stop() }
        let answer = try #require(try daemon.json("/v1/config"))
        let config = try #require(answer["config"] as? [String: String], "\(answer)")
        #expect(config["model_set"] == RunningDaemon.shippedModelSet)
        #expect(
            config["max_upload_bytes"] == "4096" && config["sigma_rule"] == "fixed" && config["bound"] == "clopper-pearson", "\(config)")
        #expect(config.count >= 20, "every key: \(config.keys.sorted())")
        #expect((answer["restart_needed_keys"] as? [String])?.contains("socket") == true)
        let post = try daemon.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://localhost/v1/config"]).out
        #expect(post == "405", "\(post)")
    }
}
