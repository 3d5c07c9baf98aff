import CertTestSupport
import Foundation
import Testing

/// Long work reports progress on stderr only: plain lines when stderr is not a terminal (as
/// here, a file), a bar with an ETA on one; stdout stays the machine-readable output.
@Suite(.serialized, .blockingWork, .enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
struct ProgressTests {
    /// "LABEL: done/total UNIT (p%)…" lines of stderr, as (done, total).
    static func progressLines(_ run: RunResult, label: String, unit: String) -> [(done: Int, total: Int)] {
        run.stderrLines.compactMap { line in
            guard line.hasPrefix("\(label): "), line.contains(" \(unit) ("), line.contains("ETA") else { return nil }
            let counts = line.dropFirst(label.count + 2).prefix { $0 != " " }.split(separator: "/").compactMap { Int($0) }
            return counts.count == 2 ? (counts[0], counts[1]) : nil
        }
    }

    @Test func evalPrintsPlainLinesOnStderr() throws {
        let run = try CLI.run(
            ["eval", "--model-set", RunningDaemon.shippedModelSet, "--data", Paths.mnistCSV.path, "--limit", "4"], timeout: 900)
        #expect(run.exited(0), "\(run.summary)")
        let lines = Self.progressLines(run, label: "eval", unit: "inputs")
        // Four stages of 4 inputs: a line at each quarter, rising to 16 of 16.
        #expect(lines.map(\.done) == [4, 8, 12, 16] && lines.allSatisfy { $0.total == 16 }, "\(run.err)")
        #expect(run.err.contains("RAB benign") && run.err.contains("Cert-SSB watermarked"))
        #expect(!run.err.contains("\r") && !run.out.contains("ETA") && !run.out.contains("eval: "))
        #expect(
            run.stdoutLines.first?.hasPrefix("model set ") == true && run.stdoutLines.contains("RAB")
                && run.stdoutLines.contains("Cert-SSB"))
    }

    @Test func sigmaPrintsPlainLinesOnStderrAndOnlyJSONOnStdout() throws {
        let folder = try TemporaryDirectory("progress-sigma")
        let run = try CLI.run(
            [
                "sigma", "--model-set", RunningDaemon.shippedModelSet, "--data", Paths.mnistCSV.path, "--split", "test",
                "--store", folder.file("store"), "--sigma-rule", "fixed", "--lines",
            ], timeout: 900)
        #expect(run.exited(0), "\(run.summary)")
        let lines = Self.progressLines(run, label: "sigma", unit: "samples")
        let total = try #require(lines.first?.total, "\(run.err)")
        #expect(
            lines.last?.done == total && lines.count >= 2 && zip(lines, lines.dropFirst()).allSatisfy { $0.done < $1.done }, "\(run.err)")
        // stdout: one JSON object per sample, in order, and nothing else.
        let objects = run.jsonLines
        #expect(objects.count == total && objects.enumerated().allSatisfy { $1?["index"] as? Int == $0 && $1?["sigma"] != nil })
    }

    @Test func importTorchPrintsALinePerTenthOnStderr() throws {
        let folder = try TemporaryDirectory("progress-import")
        let run = try CLI.run([
            "import-torch", "--from", Paths.checkpoints.path, "--out", folder.file("set"), "--sigma", "0.12",
            "--trigger", "onepixel", "--limit", "4",
        ])
        #expect(run.exited(0), "\(run.summary)")
        let lines = Self.progressLines(run, label: "import-torch", unit: "checkpoints")
        #expect(lines.map(\.done) == [1, 2, 3, 4] && lines.allSatisfy { $0.total == 4 } && run.out.isEmpty, "\(run.summary)")
    }

    /// On a terminal (a pseudo-terminal from util-linux `script`): a bar redrawn in place
    /// with an ETA, ended by a newline.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func evalDrawsABarOnATerminal() throws {
        let exe = try #require(Paths.executable)
        let command = [exe, "eval", "--model-set", RunningDaemon.shippedModelSet, "--data", Paths.mnistCSV.path, "--limit", "4"]
            .map { "'\($0)'" }.joined(separator: " ")
        // stdout goes to /dev/null inside the terminal, so what is left is stderr.
        let run = try CLI.run(program: "/usr/bin/script", ["-qefc", command + " >/dev/null", "/dev/null"], timeout: 900)
        #expect(run.exited(0), "\(run.summary)")
        #expect(run.out.contains("\reval [") && run.out.contains("16/16 inputs") && run.out.contains("ETA"), "\(run.summary)")
        #expect(run.out.contains("[##############################] 16/16 inputs"))
        #expect(!run.out.contains("eval: 4/16"), "plain lines on a terminal")
    }
}
