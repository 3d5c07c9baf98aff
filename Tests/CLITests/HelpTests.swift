import CertTestSupport
import Foundation
import Testing

@Suite("CLI: help, version and usage errors", .blockingWork)
struct HelpTests {
    @Test("certssb --help exits 0 and lists the subcommands")
    func rootHelp() throws {
        print("certssb under test: \(Paths.executable ?? "not found")")
        let run = try CLI.run(["--help"], timeout: 60)
        #expect(run.exited(0), "\(run.summary)")
        for command in ["certify", "logits", "import-torch", "export-images"] {
            #expect(run.out.contains(command), "--help does not mention \(command)")
        }
    }

    @Test(
        "each subcommand's --help exits 0 and shows its options",
        arguments: [
            ("certify", "--model-set"), ("logits", "--model-set"), ("import-torch", "--from"),
            ("export-images", "--csv"),
        ])
    func subcommandHelp(command: String, option: String) throws {
        let run = try CLI.run([command, "--help"], timeout: 60)
        #expect(run.exited(0), "\(run.summary)")
        #expect(run.out.contains(option), "\(command) --help does not mention \(option)")
    }

    @Test("certify --help names the bounds and modes")
    func certifyHelpDetails() throws {
        let run = try CLI.run(["certify", "--help"], timeout: 60)
        #expect(run.exited(0), "\(run.summary)")
        for word in ["--bound", "clopper-pearson", "--compat", "released", "--workers", "--batch-size", "--alpha"] {
            #expect(run.out.contains(word), "certify --help does not mention \(word)")
        }
    }

    @Test("--version exits 0 and prints a version")
    func version() throws {
        let run = try CLI.run(["--version"], timeout: 60)
        #expect(run.exited(0), "\(run.summary)")
        #expect(run.out.first?.isNumber == true, "\(run.summary)")
    }

    @Test(
        "usage errors exit 2 with one stderr line and no crash",
        arguments: [
            ["certify", "--no-such-option", "x.png"],
            ["--no-such-option"],
            ["no-such-command"],
            ["certify", "x.png"],  // no --model-set
            ["certify", "--model-set", "/nonexistent"],  // no files
            ["certify", "--model-set", "/nonexistent", "--bound", "nonsense", "x.png"],
            ["certify", "--model-set", "/nonexistent", "--compat", "nonsense", "x.png"],
            ["certify", "--model-set", "/nonexistent", "--workers", "0", "x.png"],
            ["certify", "--model-set", "/nonexistent", "--batch-size", "0", "x.png"],
            ["certify", "--model-set", "/nonexistent", "--alpha", "1.5", "x.png"],
            ["logits", "--model-set", "/nonexistent"],
            ["import-torch", "--from", "/nonexistent", "--out", "/nonexistent-out", "--sigma", "-1", "--trigger", "onepixel"],
            ["export-images", "--csv", "/nonexistent.csv", "--rows", "3-1", "--out", "/nonexistent-out"],
        ])
    func usageErrors(_ arguments: [String]) throws {
        let run = try CLI.run(arguments, timeout: 60)
        #expect(run.reason == .exit && !run.timedOut, "\(run.summary)")
        #expect(run.exited(2), "\(run.summary)")
        #expect(run.stderrLines.count == 1, "\(run.summary)")
        #expect(run.stderrLines.first?.hasPrefix("certssb: ") == true, "\(run.summary)")
        #expect(!run.out.contains("\"certified\""), "\(run.summary)")
    }
}
