import CertCore
import CertData
import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real certssbd under a real systemd 252 (../shared/tools/systemd-sandbox, root only),
/// on the units from etc/ as shipped plus a test drop-in for ExecStart=: socket activation,
/// uploads and the watch folder, journald fields, the STATUS= line, reload (good and bad) and a
/// draining stop. `systemd-analyze verify` of the bare units is SystemdUnitFileTests's job.
@Suite(.serialized, .blockingWork) struct SystemdServiceTests {
    static let tool = PackagePaths.shared.appendingPathComponent("tools/systemd-sandbox").path

    /// The built certssbd, beside the built certssb.
    static let daemon: String? = Paths.executable.map { ($0 as NSString).deletingLastPathComponent + "/certssbd" }
        .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }

    /// Why the test cannot run here, or nil.
    static let skipReason: String? = {
        if getuid() != 0 { return "skipped: systemd-sandbox needs root" }
        if !FileManager.default.isExecutableFile(atPath: tool) { return "skipped: no \(tool)" }
        if daemon == nil { return "skipped: no built certssbd beside the certssb executable" }
        return nil
    }()

    // Where things appear inside the sandbox (binds of host folders).
    static let binInside = "/opt/certssbd-test"
    static let shareInside = "/opt/certssbd-share"
    static let modelInside = "/opt/certssbd-model"
    static let shippedSet = modelInside + "/mnist/onepixel/sigma1.25"

    /// certssbd.conf as the test writes it; model_set lives here (not on the command line,
    /// where it would override the file and a reload could not swap it).
    static func config(modelSet: String, batchWindowMs: Int = 2000) -> String {
        """
        model_set = \(modelSet)
        state_dir = /var/lib/certssbd
        watch_dir = /var/lib/certssbd/inbox
        batch_window_ms = \(batchWindowMs)
        log_level = info

        """
    }

    // The limit only catches a hang; it counts the wait for a `.blockingWork` thread too.
    @Test(.enabled(if: skipReason == nil, Comment(rawValue: skipReason ?? "")), .timeLimit(.minutes(10)))
    func certssbdUnderSystemd() throws {
        let fm = FileManager.default
        let sandbox = try SystemdSandbox()
        defer {
            // down checks that no process of the sandbox is left.
            let down = sandbox.down()
            #expect(down?.status ?? 0 == 0, "\(down?.output ?? "")")
        }
        let share = sandbox.share

        // Units: etc/ unchanged, plus a drop-in that runs the built daemon with the test config.
        try fm.copyItem(
            atPath: Paths.packageRoot.appendingPathComponent("etc/certssbd.socket").path, toPath: sandbox.units + "/certssbd.socket")
        try fm.copyItem(
            atPath: Paths.packageRoot.appendingPathComponent("etc/certssbd.service").path, toPath: sandbox.units + "/certssbd.service")
        try fm.createDirectory(atPath: sandbox.units + "/certssbd.service.d", withIntermediateDirectories: true)
        try """
        [Service]
        ExecStart=
        ExecStart=\(Self.binInside)/certssbd --config \(Self.shareInside)/certssbd.conf --plugin-dir \(Self.binInside) --sigma_rule fixed --workers 2

        """.write(toFile: sandbox.units + "/certssbd.service.d/test.conf", atomically: true, encoding: .utf8)
        try fm.copyItem(
            atPath: Paths.packageRoot.appendingPathComponent("etc/certssbd.sysusers.conf").path, toPath: share + "/certssbd.sysusers.conf")
        try Self.config(modelSet: Self.shippedSet).write(toFile: share + "/certssbd.conf", atomically: true, encoding: .utf8)
        let digits = try DaemonTests.digits(4)
        for (i, png) in digits.enumerated() { try Data(png).write(to: URL(fileURLWithPath: share + "/digit\(i).png")) }

        let up = try sandbox.up(binds: [
            ((Self.daemon! as NSString).deletingLastPathComponent, Self.binInside),
            (Paths.packageRoot.appendingPathComponent("model").path, Self.modelInside),
            (share, Self.shareInside),
        ])
        try #require(up.status == 0, "\(up.output)")
        try #require(try sandbox.inside("systemd-sysusers", "\(Self.shareInside)/certssbd.sysusers.conf").status == 0)

        // The units as installed (with the drop-in and the real binary) pass verify inside.
        // --man=no: the man page Documentation= names is installed by install.sh, not here.
        let verify = try sandbox.inside("systemd-analyze", "verify", "--man=no", "certssbd.socket", "certssbd.service")
        #expect(verify.status == 0 && !verify.output.contains("certssbd"), "\(verify.output)")

        // Socket activation: nothing runs until the first request, which then gets an answer.
        try #require(try sandbox.inside("systemctl", "start", "certssbd.socket").status == 0)
        #expect(try sandbox.value("systemctl", "is-active", "certssbd.socket") == "active")
        #expect(try sandbox.value("systemctl", "is-active", "certssbd.service") == "inactive")
        let health = try sandbox.curl(["--max-time", "150", "http://localhost/v1/health"])
        #expect(health.out.contains("ready"), "\(health) \(sandbox.journal())")
        #expect(try sandbox.value("systemctl", "is-active", "certssbd.service") == "active", "\(sandbox.journal())")
        #expect(try sandbox.value("systemctl", "show", "certssbd.service", "-p", "User", "--value") == "certssbd")
        // A reload happens inside this process: SIGHUP must neither kill nor restart it.
        let mainPID = try sandbox.value("systemctl", "show", "certssbd.service", "-p", "MainPID", "--value")
        func sameProcess() throws -> Bool {
            try sandbox.value("systemctl", "show", "certssbd.service", "-p", "MainPID", "--value") == mainPID
                && sandbox.value("systemctl", "show", "certssbd.service", "-p", "NRestarts", "--value") == "0"
        }

        // An upload, read back from the store.
        let sha = Checksum.sha256Hex(digits[0])
        let upload = try sandbox.curl(["--max-time", "120", "--data-binary", "@\(share)/digit0.png", "http://localhost/v1/certify"])
        let verdict = try #require(Self.object(upload.out), "\(upload) \(sandbox.journal())")
        #expect(verdict["sha256"] as? String == sha)
        #expect(try sandbox.curl(["http://localhost/v1/verdicts/\(sha)"]).out.contains(sha))
        let label = try #require(verdict["label"] as? Int), radius = try #require(verdict["radius"] as? Double)

        // A file dropped into the watch folder (the state dir, inside) ends in processed/.
        let dropped = Checksum.sha256Hex(digits[1])
        #expect(try sandbox.inside("cp", "\(Self.shareInside)/digit1.png", "/var/lib/certssbd/inbox/digit1.png").status == 0)
        let sidecar = "/var/lib/certssbd/processed/digit1.png.verdict.json"
        #expect(Wait.until(every: 0.2) { (try? sandbox.inside("test", "-s", sidecar).status) == 0 }, "\(sandbox.journal())")

        // journald has both verdicts with their fields.
        var entries: [[String: Any]] = []
        #expect(
            Wait.until(every: 0.2) {
                entries = sandbox.journalEntries()
                return entries.contains { $0["CERTSSB_SHA256"] as? String == dropped }
            })
        let uploaded = entries.first { $0["CERTSSB_SHA256"] as? String == sha }
        #expect(uploaded?["CERTSSB_LABEL"] as? String == String(label), "\(uploaded ?? [:])")
        #expect(Self.same((uploaded?["CERTSSB_RADIUS"] as? String).flatMap(Double.init), radius), "\(uploaded ?? [:])")
        #expect(uploaded?["SYSLOG_IDENTIFIER"] as? String == "certssbd")
        let watched = entries.first { $0["CERTSSB_SHA256"] as? String == dropped }
        #expect(watched?["CERTSSB_FILE"] as? String == "/var/lib/certssbd/inbox/digit1.png", "\(watched ?? [:])")
        let sidecarVerdict = Self.object((try? sandbox.inside("cat", sidecar).output) ?? "")
        #expect(sidecarVerdict?["sha256"] as? String == dropped, "\(sidecarVerdict ?? [:])")
        #expect(watched?["CERTSSB_LABEL"] as? String == (sidecarVerdict?["label"] as? Int).map(String.init), "\(watched ?? [:])")
        #expect(
            Self.same((watched?["CERTSSB_RADIUS"] as? String).flatMap(Double.init), sidecarVerdict?["radius"] as? Double),
            "\(watched ?? [:])")

        // Reload swaps the model set: the config names a new one (a small random set: another
        // set of the same shape), systemctl reload sends SIGHUP.
        try TestModelSets.copy(ofRandom: .mnistCNN, count: 2, to: share + "/tiny")
        try Self.config(modelSet: Self.shareInside + "/tiny").write(toFile: share + "/certssbd.conf", atomically: true, encoding: .utf8)
        #expect(try sandbox.inside("systemctl", "reload", "certssbd.service").status == 0)
        var stats: [String: Any] = [:]
        #expect(
            Wait.until(every: 0.2) {
                stats = (try? sandbox.curl(["http://localhost/v1/stats"])).flatMap { Self.object($0.out) } ?? [:]
                return stats["model_set_directory"] as? String == Self.shareInside + "/tiny"
            }, "\(stats) \(sandbox.journal())")
        #expect(
            Wait.until(every: 0.2) { sandbox.journal().contains("reloaded: model set \(Self.shareInside)/tiny") }, "\(sandbox.journal())")
        // The new set has its own store in the same state_dir; the old set's verdict is not its.
        #expect((stats["store_directory"] as? String)?.hasPrefix("/var/lib/certssbd/db/") == true, "\(stats)")
        #expect(try sandbox.curl(["-w", "%{http_code}", "-o", "/dev/null", "http://localhost/v1/verdicts/\(sha)"]).out == "404")
        #expect(try sameProcess(), "\(sandbox.journal())")

        // `systemctl status` shows the daemon's STATUS= line (sent again with READY=1 after the reload).
        var status = ""
        #expect(
            Wait.until(every: 0.2) {
                status = (try? sandbox.inside("systemctl", "status", "--no-pager", "certssbd.service").output) ?? ""
                return status.contains("Status: \"queue 0, 2 verdicts (")
            }, "\(status)")
        let again = try sandbox.curl(["--max-time", "60", "--data-binary", "@\(share)/digit2.png", "http://localhost/v1/certify"])
        let fresh = try #require(Self.object(again.out), "\(again)")
        #expect(fresh["model_set"] as? String == stats["model_set"] as? String)
        #expect(fresh["model_set"] as? String != verdict["model_set"] as? String)

        // A failed reload (missing model set) keeps the running state, and the service active.
        func failedReloads() -> Int { sandbox.journal().components(separatedBy: "reload failed, keeping the running state").count - 1 }
        let failedBefore = failedReloads()
        try Self.config(modelSet: Self.shareInside + "/missing")
            .write(toFile: share + "/certssbd.conf", atomically: true, encoding: .utf8)
        #expect(try sandbox.inside("systemctl", "reload", "certssbd.service").status == 0)
        #expect(Wait.until(every: 0.2) { failedReloads() == failedBefore + 1 }, "\(sandbox.journal())")
        #expect(try sandbox.value("systemctl", "is-active", "certssbd.service") == "active")
        #expect(try sameProcess(), "\(sandbox.journal())")
        #expect(try sandbox.curl(["http://localhost/v1/health"]).out.contains("ready"))
        let kept = try sandbox.curl(["http://localhost/v1/stats"])
        #expect(Self.object(kept.out)?["model_set_directory"] as? String == Self.shareInside + "/tiny", "\(kept)")

        // Back to the shipped set: its own store is opened again, with the first verdict in it.
        // Its batch window is 15 s, so the stop below surely finds the upload still waiting in
        // the queue on a loaded machine. (Not longer: the batcher does not beat while it holds
        // a window open, and WatchdogSec= is 30 s; the stop waits for the window to end.)
        try Self.config(modelSet: Self.shippedSet, batchWindowMs: 15_000).write(
            toFile: share + "/certssbd.conf", atomically: true, encoding: .utf8)
        #expect(try sandbox.inside("systemctl", "reload", "certssbd.service").status == 0)
        #expect(
            Wait.until(every: 0.2) {
                (try? sandbox.curl(["http://localhost/v1/stats"])).flatMap { Self.object($0.out) }?["model_set_directory"] as? String
                    == Self.shippedSet
            }, "\(sandbox.journal())")
        let served = try sandbox.curl(["http://localhost/v1/verdicts/\(sha)"])
        #expect(Self.object(served.out)?["label"] as? Int == label, "\(served)")

        // Stop drains: an upload waiting in the batch window when SIGTERM comes is still answered.
        let pending = try sandbox.startCurl(["--max-time", "120", "--data-binary", "@\(share)/digit3.png", "http://localhost/v1/certify"])
        #expect(
            Wait.until(every: 0.05) {
                ((try? sandbox.curl(["http://localhost/v1/stats"])).flatMap { Self.object($0.out) }?["queue_depth"] as? Int ?? 0) > 0
            })
        #expect(try sandbox.inside("systemctl", "stop", "certssbd.service").status == 0)
        let answer = pending.finish()
        #expect(Self.object(answer)?["sha256"] as? String == Checksum.sha256Hex(digits[3]), "\(answer) \(sandbox.journal())")
        #expect(try sandbox.value("systemctl", "is-active", "certssbd.service") == "inactive")
        #expect(try sandbox.value("systemctl", "show", "certssbd.service", "-p", "Result", "--value") == "success")
        #expect(try sandbox.value("systemctl", "show", "certssbd.service", "-p", "ExecMainStatus", "--value") == "0")
        let messages = sandbox.journalEntries().filter { $0["SYSLOG_IDENTIFIER"] as? String == "certssbd" }.compactMap {
            $0["MESSAGE"] as? String
        }
        // The upload was still queued when the drain began, and its verdict came before the end.
        let draining = messages.firstIndex(of: "draining: 1 image(s) queued")
        let last = messages.lastIndex { $0.hasPrefix("upload via socket: ") }
        #expect(draining != nil && last != nil && draining! < last!, "\(messages)")
        #expect(messages.last == "stopped", "\(messages)")
    }

    /// `scripts/install.sh --prebuilt` inside the sandbox, then nothing else: the installed
    /// binaries, plugins, model set, config and units give a socket-activated service that
    /// certifies on the defaults (sigma rule gradient, the three plugins found where installed).
    @Test(.enabled(if: skipReason == nil, Comment(rawValue: skipReason ?? "")), .timeLimit(.minutes(10)))
    func installScriptGivesAWorkingService() throws {
        let sandbox = try SystemdSandbox()
        defer {
            let down = sandbox.down()
            #expect(down?.status ?? 0 == 0, "\(down?.output ?? "")")
        }
        let build = (Self.daemon! as NSString).deletingLastPathComponent
        let up = try sandbox.up(binds: [(Paths.packageRoot.path, Paths.packageRoot.path)])
        try #require(up.status == 0, "\(up.output)")

        let install = try sandbox.inside(Paths.packageRoot.appendingPathComponent("scripts/install.sh").path, "--prebuilt", build)
        try #require(install.status == 0 && install.output.contains("certssbd.socket is listening"), "\(install.output)")
        #expect(try sandbox.value("systemctl", "is-enabled", "certssbd.socket") == "enabled")
        #expect(try sandbox.value("systemctl", "is-active", "certssbd.service") == "inactive")

        let health = try sandbox.curl(["--max-time", "150", "http://localhost/v1/health"])
        #expect(health.out.contains("ready"), "\(health) \(sandbox.journal())")
        let png = try DaemonTests.digits(1, offset: 40)[0]
        try Data(png).write(to: URL(fileURLWithPath: sandbox.share + "/digit.png"))
        let upload = try sandbox.curl(["--max-time", "240", "--data-binary", "@\(sandbox.share)/digit.png", "http://localhost/v1/certify"])
        let verdict = try #require(Self.object(upload.out), "\(upload) \(sandbox.journal())")
        #expect(verdict["sha256"] as? String == Checksum.sha256Hex(png))
        #expect((verdict["sigma_search"] as? [String: Any])?["rule"] as? String == "search", "the installed default rule")
        let plugins = (verdict["triggers"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(
            plugins == ["blending", "fourpixel", "onepixel"], "plugins from /usr/local/lib/certssb/plugins: \(String(describing: plugins))")
        let stats = try #require(Self.object(try sandbox.curl(["http://localhost/v1/stats"]).out))
        #expect(stats["model_set_directory"] as? String == "/usr/share/certssb/model/mnist/onepixel/sigma1.25")
        #expect((stats["store_directory"] as? String)?.hasPrefix("/var/lib/certssbd/db/") == true, "\(stats)")
        // The installed client finds the socket at its default path.
        let status = try sandbox.inside("/usr/local/bin/certssb", "status")
        #expect(status.status == 0 && status.output.contains("\"verdicts\":1"), "\(status.output)")
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// Equal up to the last digit: JSONSerialization on Linux may parse a double one ulp off.
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return false }
        return abs(a - b) <= 1e-12 * max(1, abs(a))
    }
}

/// One systemd-sandbox for a test: a short root in the test process's folder under /tmp
/// (the socket path must fit in sun_path), the units folder, a shared folder bound read-only, and the run folder bound
/// read-write at /run/certssbd so the host reaches the socket unit's certssbd.sock.
final class SystemdSandbox {
    let root: String
    var units: String { root + "/units" }
    var share: String { root + "/share" }
    var run: String { root + "/run" }
    var state: String { root + "/state" }
    var socket: String { run + "/certssbd.sock" }
    private var booted = false

    init() throws {
        root = TemporaryDirectory.processRoot + "/svc-\(UInt32.random(in: 0...UInt32.max))"
        for dir in [units, share, run] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
    }

    func tool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Self.run(SystemdServiceTests.tool, arguments)
    }

    /// Boots the sandbox; a failed boot is torn down and tried once more (under a loaded
    /// suite, a boot right after another sandbox's teardown has failed within half a second,
    /// without output), and the first failure's output is kept in the result.
    func up(binds: [(host: String, inside: String)]) throws -> (status: Int32, output: String) {
        booted = true
        let arguments =
            ["up", "--state", state, "--units", units] + binds.flatMap { ["--bind", "\($0.host):\($0.inside)"] }
            + ["--bind", "\(run):/run/certssbd:rw"]
        let first = try tool(arguments)
        if first.status == 0 { return first }
        _ = try? tool(["down", "--state", state])
        Thread.sleep(forTimeInterval: 2)
        let second = try tool(arguments)
        return (second.status, "first boot (status \(first.status)): \(first.output)\nsecond boot: \(second.output)")
    }

    /// Tears the sandbox down (nil if it never booted), then removes the root (socket files
    /// stay in rw binds).
    @discardableResult
    func down() -> (status: Int32, output: String)? {
        let result = booted ? (try? tool(["down", "--state", state])) ?? (-1, "systemd-sandbox down did not run") : nil
        try? FileManager.default.removeItem(atPath: root)
        return result
    }

    func inside(_ command: String...) throws -> (status: Int32, output: String) {
        try tool(["exec", "--state", state, "--"] + command)
    }

    /// A command's output, trimmed (systemctl is-active, show --value).
    func value(_ command: String...) throws -> String {
        try tool(["exec", "--state", state, "--"] + command).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// certssbd's journal as plain messages (for checks and failure messages; "" if unreadable).
    func journal() -> String {
        (try? inside("journalctl", "-u", "certssbd.service", "--no-pager", "-o", "cat").output) ?? ""
    }

    /// certssbd's journal entries with all their fields.
    func journalEntries() -> [[String: Any]] {
        ((try? inside("journalctl", "-u", "certssbd.service", "--no-pager", "-o", "json").output) ?? "")
            .split(separator: "\n").compactMap { SystemdServiceTests.object(String($0)) }
    }

    /// curl from the host through the socket unit's socket. Never unbounded: a daemon that
    /// crash-loops under socket activation leaves the connection waiting for ever (a later
    /// --max-time in `arguments` wins).
    func curl(_ arguments: [String]) throws -> (status: Int32, out: String) {
        let result = try Self.run("/usr/bin/curl", ["-sS", "--max-time", "30", "--unix-socket", socket] + arguments)
        return (result.status, result.output)
    }

    /// A curl left running; `finish` waits for it and returns its output.
    struct PendingCurl {
        let process: Process
        let output: URL
        func finish() -> String {
            process.waitUntilExit()
            return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }
    }

    func startCurl(_ arguments: [String]) throws -> PendingCurl {
        let output = URL(fileURLWithPath: root + "/curl-\(UUID().uuidString.prefix(6)).out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--unix-socket", socket] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        try ProcessEnvironment.withShared { try process.run() }
        return PendingCurl(process: process, output: output)
    }

    /// Runs a program; stdout and stderr come back together.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try CLI.run(program: executable, arguments)
        return (result.status, result.out + result.err)
    }
}
