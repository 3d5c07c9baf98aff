import CertDaemon
import CertTestSupport
import Foundation
import Glibc
import Testing

/// The shipped units under a real systemd 252 (../shared/tools/systemd-sandbox, root only):
/// socket activation, the hardening set, the certssbd user, RuntimeDirectoryPreserve=.
/// The daemon is replaced by the sandbox demo's Python echo service (takes fd 3, sends
/// READY=1), so this checks the units, not certssbd. Skipped where the tool or root is missing.
@Suite(.blockingWork) struct SystemdSandboxTests {
    static let tool = ConfigTestSupport.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/tools/systemd-sandbox")
        .path
    static let echoService = ConfigTestSupport.repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/tools/systemd-sandbox-demo/bin/echo-svc.py").path
    static let available =
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: tool)
        && FileManager.default.fileExists(atPath: echoService)

    // The limits only catch a hang; they count the wait for a `.blockingWork` thread too.
    @Test(.enabled(if: available), .timeLimit(.minutes(10)))
    func unitsActivateHardenedAndKeepTheirSocket() throws {
        let fm = FileManager.default
        // Short path: the socket path inside must fit in sun_path.
        let root = URL(fileURLWithPath: TemporaryDirectory.processRoot + "/sbx-\(UInt32.random(in: 0...UInt32.max))")
        let units = root.appendingPathComponent("units"), bin = root.appendingPathComponent("bin")
        let run = root.appendingPathComponent("run"), state = root.appendingPathComponent("state")
        for dir in [units, bin, run] { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
        defer { try? fm.removeItem(at: root) }

        try fm.copyItem(atPath: Self.echoService, toPath: bin.appendingPathComponent("echo-svc.py").path)
        try fm.copyItem(
            atPath: ConfigTestSupport.etc("certssbd.sysusers.conf"), toPath: bin.appendingPathComponent("certssbd.sysusers.conf").path)
        try fm.copyItem(atPath: ConfigTestSupport.etc("certssbd.socket"), toPath: units.appendingPathComponent("certssbd.socket").path)
        let service = try String(contentsOfFile: ConfigTestSupport.etc("certssbd.service"), encoding: .utf8)
            .replacingOccurrences(
                of: "ExecStart=/usr/local/bin/certssbd", with: "ExecStart=/usr/bin/python3 /opt/certssbd-test/echo-svc.py")
        try service.write(to: units.appendingPathComponent("certssbd.service"), atomically: true, encoding: .utf8)

        func sandbox(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try SystemdTestSupport.run(Self.tool, arguments)
        }
        func inside(_ command: String...) throws -> String {
            try sandbox(["exec", "--state", state.path, "--"] + command).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let up = try sandbox([
            "up", "--state", state.path, "--units", units.path,
            "--bind", "\(bin.path):/opt/certssbd-test", "--bind", "\(run.path):/run/certssbd:rw",
        ])
        defer { _ = try? sandbox(["down", "--state", state.path]) }
        try #require(up.status == 0, "\(up.output)")

        _ = try inside("systemd-sysusers", "/opt/certssbd-test/certssbd.sysusers.conf")
        _ = try inside("systemctl", "start", "certssbd.socket")
        #expect(try inside("systemctl", "is-active", "certssbd.service") == "inactive")

        let socket = run.appendingPathComponent("certssbd.sock").path
        #expect(try SystemdTestSupport.request(socket, "GET /v1/health\n").contains("via fd 3"))
        #expect(try inside("systemctl", "is-active", "certssbd.service") == "active")
        #expect(try inside("systemctl", "show", "certssbd.service", "-p", "User", "--value") == "certssbd")

        // Stopping the service must leave the socket (RuntimeDirectoryPreserve=yes); the next
        // connection starts it again.
        _ = try inside("systemctl", "stop", "certssbd.service")
        #expect(fm.fileExists(atPath: socket))
        #expect(try SystemdTestSupport.request(socket, "again\n").contains("again"))
        let journal = try inside("journalctl", "-u", "certssbd.service", "--no-pager", "-o", "cat")
        #expect(!journal.contains("Failed"), "\(journal)")
    }

    /// JournalLogger's sd_journal_sendv path against the sandbox's journald: this test binary is
    /// run again inside with CERTSSB_JOURNAL_PROBE set, and the entry is read back with journalctl.
    @Test(.enabled(if: available), .timeLimit(.minutes(10)))
    func journalLoggerSendsStructuredEntries() throws {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let state = TemporaryDirectory.processRoot + "/jrnl-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let up = try SystemdTestSupport.run(
            Self.tool,
            [
                "up", "--state", state + "/sb",
                "--bind", URL(fileURLWithPath: executable).deletingLastPathComponent().path,
            ])
        defer { _ = try? SystemdTestSupport.run(Self.tool, ["down", "--state", state + "/sb"]) }
        try #require(up.status == 0, "\(up.output)")

        let tag = "probe\(UInt32.random(in: 0...UInt32.max))"
        let probe = try SystemdTestSupport.run(
            Self.tool,
            [
                "exec", "--state", state + "/sb", "-e", "CERTSSB_JOURNAL_PROBE=\(tag)", "--",
                executable, "--testing-library", "swift-testing", "--filter", "journalProbe",
            ])
        try #require(probe.status == 0, "\(probe.output)")

        var entry: [String: Any] = [:]
        Wait.until(every: 0.1) {
            let read = try? SystemdTestSupport.run(
                Self.tool,
                [
                    "exec", "--state", state + "/sb", "--", "journalctl", "CERTSSB_TAG=\(tag)", "-o", "json", "--no-pager",
                ])
            if let line = read?.output.split(separator: "\n").first(where: { $0.hasPrefix("{") }),
                let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            {
                entry = object
            }
            return !entry.isEmpty
        }
        #expect(entry["MESSAGE"] as? String == "certified \(tag)")
        #expect(entry["PRIORITY"] as? String == "4")
        #expect(entry["SYSLOG_IDENTIFIER"] as? String == "certssbd")
        #expect(entry["CERTSSB_SHA256"] as? String == "ab12")
    }
}

/// Runs only inside the sandbox, started by journalLoggerSendsStructuredEntries.
@Suite struct SystemdJournalProbe {
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["CERTSSB_JOURNAL_PROBE"] != nil,
            "skipped: runs only inside systemd-sandbox, started by journalLoggerSendsStructuredEntries"))
    func journalProbe() {
        let tag = ProcessInfo.processInfo.environment["CERTSSB_JOURNAL_PROBE"] ?? ""
        let logger = JournalLogger(threshold: .info, destination: .journal)
        logger.log(.warning, "certified \(tag)", fields: ["sha256": "ab12", "tag": tag])
    }
}
