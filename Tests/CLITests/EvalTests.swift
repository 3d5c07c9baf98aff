import Foundation
import Testing

/// `certssb eval` end to end on the authors' 16 checkpoints and mnist_5k (DESIGN 2.8).
@Suite(.serialized, .enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
struct EvalTests {
    struct Report: Decodable {
        struct Table: Decodable { var method: String; var radii: [Double]; var certAcc: [Double]; var certRatio: [Double] }
        struct V: Decodable { var radius: Double; var sigma: Double; var label: Int; var certified: Bool; var n_models: Int; var alpha: Double; var mode: String }
        var tables: [Table]
        var verdicts: [String: [V]]
    }

    func eval(_ extra: [String], store: String? = nil) throws -> (RunResult, Report) {
        let fixture = try MNISTFixture.get()
        let folder = try TemporaryFolder("eval")
        let json = folder.file("eval.json")
        var args = ["eval", "--dataset", "mnist", "--wm_shape", "onepixel", "--model-set", fixture.modelSet,
                    "--data", Paths.mnistCSV.path, "--limit", "12", "--sigma-steps", "4", "--sigma-draws", "2", "--sigma-models", "2",
                    "--workers", "2", "--json", json] + extra
        if let store { args += ["--store", store] }
        let run = try CLI.run(args, timeout: 900)
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        return (run, report)
    }

    /// The paper's table for RAB and Cert-SSB, line for line, with --compat released.
    @Test func compatReleasedTableIsProducedEndToEnd() throws {
        let (run, report) = try eval(["--compat", "released", "--sigma-steps", "20"])
        #expect(run.exited(0), "\(run.summary)")
        #expect(run.out.contains("Cert-SSB (compat released)"))
        let lines = run.stdoutLines
        for name in ["Certified Radius", "Cert acc", "Cert wm acc", "Cond acc", "Cert ratio", "Expected Cert acc", "Expected Cert wm acc", "Expected Cond acc", "Expected Cert ratio"] {
            #expect(lines.filter { $0.hasPrefix(name + ": ") }.count >= 2, "missing \(name)")
        }
        #expect(lines.contains("Certified Radius: 0.0 / 0.25 / 0.5 / 0.75 / 1.0 / 1.25 / 1.5 / 1.75 / 2.0 / 2.25 / 2.5"))
        #expect(report.verdicts["ssb_benign"]?.allSatisfy { $0.mode == "released" && $0.sigma > 0.12 } == true)
        #expect(report.verdicts["rab_benign"]?.allSatisfy { $0.sigma == 0.12 && $0.mode == "sound" } == true)
    }

    /// Every radius lies under the analytic ceiling PhiInv(1 − h)·max sigma_x, h the
    /// Hoeffding margin at N = 16, alpha = 0.001 (PhiInv(1 − 0.3235) computed independently).
    @Test func radiiStayUnderTheAnalyticCeiling() throws {
        let (run, report) = try eval([])
        #expect(run.exited(0), "\(run.summary)")
        let all = report.verdicts.values.flatMap { $0 }
        let h = (log(1000.0) / 32).squareRoot()
        #expect(abs(h - 0.4646152736062298) < 1e-12)
        // python3 -c "import math; from scipy.stats import norm; print(norm.ppf(1 - (math.log(1000)/32)**0.5))"
        let phiInv = 0.08881297332716416
        let ceiling = phiInv * (all.map(\.sigma).max() ?? 0)
        #expect(all.allSatisfy { $0.radius <= ceiling + 1e-12 }, "ceiling \(ceiling)")
        #expect(all.allSatisfy { $0.n_models == 16 && $0.alpha == 0.001 })
        // Cert-SSB's sigmas come from the search: at least sigma0, bounded by the step budget.
        #expect(report.verdicts["ssb_benign"]!.allSatisfy { $0.sigma >= 0.12 && $0.sigma <= 0.12 + 4 * 0.01 + 1e-12 })
    }

    /// Regions and sigmas persist: a run killed part-way and run again ends with every input
    /// stored exactly once, and a third run adds nothing and prints the same tables.
    @Test func storeSurvivesAKillAndARestart() throws {
        let folder = try TemporaryFolder("evalstore")
        let store = folder.file("store")
        let fixture = try MNISTFixture.get()
        // Kill the first run once the store has committed something.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.executable!)
        process.arguments = ["eval", "--model-set", fixture.modelSet, "--data", Paths.mnistCSV.path, "--limit", "40",
                             "--sigma-steps", "6", "--sigma-draws", "2", "--sigma-models", "2", "--workers", "1", "--store", store]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline && LMDBUtils.entries("regions", store: store) == 0 { Thread.sleep(forTimeInterval: 0.2) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let (second, report) = try eval(["--limit", "40", "--sigma-steps", "6", "--workers", "1"], store: store)
        #expect(second.exited(0), "\(second.summary)")
        #expect(LMDBUtils.entries("regions", store: store) == 80, "benign + watermarked, each stored once")
        let (third, again) = try eval(["--limit", "40", "--sigma-steps", "6", "--workers", "1"], store: store)
        #expect(third.exited(0))
        #expect(LMDBUtils.entries("regions", store: store) == 80)
        #expect(again.tables.map(\.certAcc) == report.tables.map(\.certAcc))
        #expect(again.verdicts["ssb_benign"]!.map(\.radius) == report.verdicts["ssb_benign"]!.map(\.radius))
    }
}
