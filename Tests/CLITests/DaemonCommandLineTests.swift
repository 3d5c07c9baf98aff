import Foundation
import Testing

/// certssbd's command line (swift-argument-parser): help, version, --check-config, and exit
/// code 2 for anything wrong before it starts. None of these binds a socket or opens a store.
@Suite struct DaemonCommandLineTests {
    func certssbd(_ arguments: [String]) throws -> RunResult {
        guard let daemon = RunningDaemon.executable else { throw CLIError("certssbd executable not found") }
        return try CLI.run(program: daemon, arguments, timeout: 120)
    }

    @Test func versionAndHelpExitZero() throws {
        let version = try certssbd(["--version"])
        #expect(version.status == 0 && version.out.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0", "\(version.err)")
        let help = try certssbd(["--help"])
        #expect(help.status == 0)
        for option in ["--config", "--model-set", "--check-config", "--version", "--KEY VALUE"] {
            #expect(help.out.contains(option), "help mentions \(option)")
        }
    }

    @Test func checkConfigPrintsTheEffectiveConfigurationAndStartsNothing() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("certssbd-check-\(UUID().uuidString)").path
        let run = try certssbd([
            "--check-config", "--model-set", RunningDaemon.shippedModelSet, "--state", state,
            "--sigma_rule", "fixed", "--max-queue=7",
        ])
        #expect(run.status == 0, "\(run.err)")
        let lines = Set(run.out.split(separator: "\n").map(String.init))
        #expect(lines.contains("model_set = \(RunningDaemon.shippedModelSet)"))
        #expect(lines.contains("sigma_rule = fixed") && lines.contains("max_queue = 7"), "\(run.out)")
        #expect(!FileManager.default.fileExists(atPath: state), "no state directory is made")
    }

    @Test(arguments: [
        (["--check-config", "--alpha", "2"], "alpha"),
        (["--check-config", "--model-set", "/nonexistent/set"], "/nonexistent/set"),
        (["--check-config", "--no-such-key", "1"], "no-such-key"),
        (["--workers"], "--workers"),
        (["stray"], "stray"),
    ])
    func aBadCommandLineOrConfigExitsTwoAndSaysWhy(_ arguments: [String], _ named: String) throws {
        let run = try certssbd(arguments + (arguments.contains("--model-set") ? [] : ["--model-set", RunningDaemon.shippedModelSet]))
        #expect(run.status == 2, "\(arguments): \(run.err)")
        #expect(run.err.contains(named), "\(run.err)")
    }

    @Test func aConfigFileErrorNamesItsLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("certssbd-\(UUID().uuidString).conf").path
        try "# comment\nalpha = 0.01\nbound = nonsense\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try certssbd(["--check-config", "--config", file, "--model-set", RunningDaemon.shippedModelSet])
        #expect(run.status == 2 && run.err.contains("\(file):3"), "\(run.err)")
    }

    @Test func completionScriptsAreGenerated() throws {
        let bash = try certssbd(["--generate-completion-script", "bash"])
        #expect(bash.status == 0 && bash.out.contains("--check-config"))
    }
}
