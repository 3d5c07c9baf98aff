import CertTestSupport
import Foundation
import Testing

/// `certssb eval` end to end on the authors' 16 checkpoints and mnist_5k (METHOD.md §2.8).
@Suite(.serialized, .blockingWork, .enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
struct EvalTests {
    struct Report: Decodable {
        // eval --json spells its keys like the verdicts (snake_case).
        struct Table: Decodable {
            var method: String; var radii: [Double]; var certAcc: [Double]; var certRatio: [Double]
            enum CodingKeys: String, CodingKey {
                case method, radii
                case certAcc = "cert_acc"
                case certRatio = "cert_ratio"
            }
        }
        struct V: Decodable {
            var radius: Double; var sigma: Double; var label: Int; var certified: Bool; var n_models: Int; var alpha: Double;
            var mode: String
        }
        var tables: [Table]
        var verdicts: [String: [V]]
    }

    func eval(_ extra: [String], store: String? = nil) throws -> (RunResult, Report) {
        let fixture = try MNISTFixture.get()
        let folder = try TemporaryDirectory("eval")
        let json = folder.file("eval.json")
        var args =
            [
                "eval", "--dataset", "mnist", "--wm_shape", "onepixel", "--model-set", fixture.modelSet,
                "--data", Paths.mnistCSV.path, "--limit", "12",
                "--workers", "2", "--json", json,
            ] + extra
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
        for name in [
            "Certified Radius", "Cert acc", "Cert wm acc", "Cond acc", "Cert ratio", "Expected Cert acc", "Expected Cert wm acc",
            "Expected Cond acc", "Expected Cert ratio",
        ] {
            #expect(lines.filter { $0.hasPrefix(name + ": ") }.count >= 2, "missing \(name)")
        }
        #expect(lines.contains("Certified Radius: 0.0 / 0.25 / 0.5 / 0.75 / 1.0 / 1.25 / 1.5 / 1.75 / 2.0 / 2.25 / 2.5"))
        #expect(report.verdicts["ssb_benign"]?.allSatisfy { $0.mode == "released" && $0.sigma > 0.12 } == true)
        #expect(report.verdicts["rab_benign"]?.allSatisfy { $0.sigma == 0.12 && $0.mode == "sound" } == true)
    }

    /// Every radius lies under the analytic ceiling PhiInv(alpha^(1/N))·max sigma_x: Clopper–
    /// Pearson (the default) with every one of the N = 12 certifying models agreeing (16
    /// models, 4 split off to search; scipy: norm.ppf(0.001**(1/12)) = 0.15690800666514135).
    @Test func radiiStayUnderTheAnalyticCeiling() throws {
        let (run, report) = try eval([])
        #expect(run.exited(0), "\(run.summary)")
        let all = report.verdicts.values.flatMap { $0 }
        let ceiling = 0.15690800666514135 * (all.map(\.sigma).max() ?? 0)
        #expect(all.allSatisfy { $0.radius <= ceiling + 1e-12 }, "ceiling \(ceiling)")
        #expect(all.allSatisfy { $0.n_models == 12 && $0.alpha == 0.001 })
        // Cert-SSB's sigmas come from the search, within [sigma0, 8·sigma0].
        #expect(report.verdicts["ssb_benign"]!.allSatisfy { $0.sigma >= 0.12 && $0.sigma <= 8 * 0.12 + 1e-12 })
    }

    /// On the authors' checkpoints, with the search models held apart: Cert-SSB certifies at
    /// r = 0 as often as RAB on the same certifying models and bound (an abstention counts as
    /// not certified), at most 1% of benign digits abstain, and no benign verdict carries a
    /// label the certifying models do not support.
    @Test func certSSBKeepsRABsAccuracyAtRadiusZero() throws {
        let (run, report) = try eval(["--limit", "200"])
        #expect(run.exited(0), "\(run.summary)")
        let rab = try #require(report.tables.first { $0.method == "RAB" })
        let ssb = try #require(report.tables.first { $0.method.hasPrefix("Cert-SSB") })
        #expect(ssb.certAcc[0] >= rab.certAcc[0] - 0.01, "Cert-SSB \(ssb.certAcc[0]) vs RAB \(rab.certAcc[0])")
        let benign = report.verdicts["ssb_benign"]!
        #expect(Double(benign.filter { !$0.certified }.count) <= 0.01 * Double(benign.count))
        print("authors' 16 (12 certify): Cert acc at r = 0: RAB \(rab.certAcc[0]), Cert-SSB \(ssb.certAcc[0])")
    }

    /// A store holds one certificate kind: reopening it with another bound or alpha is refused
    /// with a message that names the field and both values.
    @Test func storeOfAnotherCertificateKindIsRefused() throws {
        let folder = try TemporaryDirectory("evalkind")
        let store = folder.file("store")
        let (first, _) = try eval(["--limit", "4"], store: store)
        #expect(first.exited(0), "\(first.summary)")
        let fixture = try MNISTFixture.get()
        for (extra, field) in [
            (["--bound", "hoeffding"], "bound is 'clopper-pearson' there, 'hoeffding' here"),
            (["--alpha", "0.01"], "alpha is '0.001' there, '0.01' here"),
            (["--compat", "released"], "mode is 'sound' there, 'released' here"),
        ] {
            let run = try CLI.run(
                [
                    "eval", "--model-set", fixture.modelSet, "--data", Paths.mnistCSV.path, "--limit", "4",
                    "--workers", "2", "--store", store,
                ] + extra, timeout: 600)
            #expect(run.exited(2), "\(run.summary)")
            #expect(run.err.contains("holds verdicts of another certificate kind") && run.err.contains(field), "\(run.err)")
        }
    }

    /// Regions and sigmas persist: a run killed part-way and run again ends with every input
    /// stored exactly once, and a third run adds nothing and prints the same tables.
    @Test func storeSurvivesAKillAndARestart() throws {
        let folder = try TemporaryDirectory("evalstore")
        let store = folder.file("store")
        let fixture = try MNISTFixture.get()
        // Kill the first run once the store has committed something.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.executable!)
        process.arguments = [
            "eval", "--model-set", fixture.modelSet, "--data", Paths.mnistCSV.path, "--limit", "40",
            "--sigma-steps", "6", "--workers", "1", "--store", store,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessEnvironment.withShared { try process.run() }
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline && LMDBUtils.entries("regions", store: store) == 0 {
            Thread.sleep(forTimeInterval: 0.2)
        }
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
