import Foundation
import Testing

/// eval refuses a request it cannot honour instead of quietly running a smaller experiment.
@Suite struct EvalArgumentTests {
    @Test func moreModelsThanTheSetHasIsAnError() throws {
        let run = try CLI.run([
            "eval", "--dataset", "mnist", "--wm_shape", "onepixel", "--sigma", "1.25", "--N_m", "1000",
            "--model-set", RunningDaemon.shippedModelSet, "--limit", "2",
        ])
        #expect(run.exited(2) && run.err.contains("--N_m 1000") && run.err.contains("72 models"), "\(run.summary)")
    }
}
