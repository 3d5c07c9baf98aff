import CertTestSupport
import Foundation
import Testing

/// eval runs the paper's command (`--N_m 1000`) on a smaller set with every model it has,
/// and says so before any work starts instead of quietly running another experiment.
@Suite(.blockingWork) struct EvalArgumentTests {
    /// The warning comes before the data loads: a missing data file still shows it, so this
    /// needs only the shipped model set, not ../shared.
    @Test func moreModelsThanTheSetHasWarnsBeforeTheDataLoads() throws {
        let run = try CLI.run([
            "eval", "--dataset", "mnist", "--wm_shape", "onepixel", "--sigma", "1.25", "--N_m", "1000",
            "--model-set", RunningDaemon.shippedModelSet, "--data", "/nonexistent/mnist.csv.gz", "--limit", "2",
        ])
        let warning = try #require(run.stderrLines.first, "\(run.summary)")
        #expect(warning.hasPrefix("warning: --N_m 1000") && warning.contains("using all 72"), "\(run.summary)")
        // It fails on the data, not on --N_m.
        #expect(run.exited(2) && run.err.contains("/nonexistent/mnist.csv.gz") && run.out.isEmpty, "\(run.summary)")
    }

    /// With the data: the run goes on with all 72 models and both tables' headings say so.
    @Test(.enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
    func moreModelsThanTheSetHasRunsWithAllOfThem() throws {
        let run = try CLI.run(
            [
                "eval", "--dataset", "mnist", "--wm_shape", "onepixel", "--sigma", "1.25", "--N_m", "1000",
                "--model-set", RunningDaemon.shippedModelSet, "--data", Paths.mnistCSV.path, "--limit", "2",
            ], timeout: 900)
        #expect(run.exited(0), "\(run.summary)")
        #expect(run.err.contains("warning: --N_m 1000 asks for more models than") && run.err.contains("using all 72"))
        #expect(run.stdoutLines.first?.contains("(N_m = 72 (asked for 1000): 64 certify, 8 search") == true, "\(run.summary)")
        #expect(
            run.stdoutLines.contains("RAB, N_m = 72 (asked for 1000)") && run.stdoutLines.contains("Cert-SSB, N_m = 72 (asked for 1000)"))
    }

    /// Asking for fewer models than the set has takes the first ones, without a warning.
    @Test(.enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
    func fewerModelsThanTheSetHasIsQuiet() throws {
        let run = try CLI.run(
            ["eval", "--N_m", "24", "--model-set", RunningDaemon.shippedModelSet, "--data", Paths.mnistCSV.path, "--limit", "2"],
            timeout: 900)
        #expect(run.exited(0) && !run.err.contains("warning") && run.stdoutLines.first?.contains("(24 models:") == true, "\(run.summary)")
    }
}
