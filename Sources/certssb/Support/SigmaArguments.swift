import ArgumentParser
import CertSigma

/// The sigma search's options (DESIGN 2.5), shared by certify and eval.
struct SigmaArguments: ParsableArguments {
    @Option(help: "fixed (sigma0, RAB), gradient (ascent on the radius) or released (the authors' rule). Default: gradient with --store, else fixed; released with --compat released.")
    var sigmaRule: SigmaRule?

    @Option(help: "Ascent steps (the released rule: 850 for onepixel, 1100 otherwise).")
    var sigmaSteps: Int?

    @Option(help: "Noise draws per step.")
    var sigmaDraws = SigmaOptions().draws

    @Option(help: "Step size on sigma per unit of d(radius)/d(sigma).")
    var sigmaLr = SigmaOptions().learningRate

    @Option(help: "Largest change of sigma in one step.")
    var sigmaMaxStep = SigmaOptions().maxStep

    @Option(help: "Upper bound of sigma.")
    var sigmaMax = SigmaOptions().sigmaMax

    @Option(help: "Models used by the gradient (the first N of the set).")
    var sigmaModels = SigmaOptions().models

    @Option(help: "Seed of the search's draws (each sample's draws also depend on its hash).")
    var sigmaSeed: UInt64 = 0

    func validate() throws {
        guard sigmaDraws >= 1, sigmaModels >= 1, sigmaLr > 0, sigmaMaxStep > 0 else {
            throw ValidationError("--sigma-draws, --sigma-models, --sigma-lr and --sigma-max-step must be positive")
        }
        if let steps = sigmaSteps, steps < 0 { throw ValidationError("--sigma-steps must be at least 0") }
    }

    /// The options for a run; `fallback` is the rule when none was given.
    func options(fallback: SigmaRule, trigger: String) -> SigmaOptions {
        let rule = sigmaRule ?? fallback
        var o = rule == .released ? SigmaOptions.released(trigger: trigger) : SigmaOptions()
        o.rule = rule
        if let steps = sigmaSteps { o.steps = steps }
        if rule == .gradient {
            o.draws = sigmaDraws; o.learningRate = sigmaLr; o.maxStep = sigmaMaxStep; o.models = sigmaModels
        }
        o.sigmaMax = sigmaMax
        o.seed = sigmaSeed
        return o
    }
}

extension SigmaRule: ExpressibleByArgument {}
