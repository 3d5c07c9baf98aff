import ArgumentParser
import CertSigma

/// The sigma search's options (METHOD.md §2.5), shared by certify, eval, sigma and train.
struct SigmaArguments: ParsableArguments {
    @Option(
        help:
            "search (label-keeping search on the certified radius within --sigma-budget, the default), grid (the previous default: 14 sigmas x 2 draws x every search model), fixed (sigma0, RAB), gradient (ascent on the expected radius) or released (the authors' rule; the default with --compat released)."
    )
    var sigmaRule: SigmaRule?

    @Option(help: "Steps of the gradient and released rules (released: 850 for onepixel, 1100 otherwise).")
    var sigmaSteps: Int?

    @Option(help: "Noise draws per search model at each sigma tried (search: default 1; grid: 2), or per step (gradient; default 8).")
    var sigmaDraws: Int?

    @Option(
        help:
            "Search: model runs per input at most this fraction of the set's model count (one full ensemble pass), but never fewer than 6 (3 sigmas x 2 models)."
    )
    var sigmaBudget = SigmaOptions().budget

    @Option(help: "Search: sigmas tried per input, sigma0 included (default: from the budget, at most 6).")
    var sigmaPoints: Int?

    @Option(help: "Search: search models that run (default: from the budget); gradient: how many give the gradient (default 16).")
    var sigmaModels: Int?

    @Option(help: "Grid: sigmas of the coarse geometric grid from sigma0 to --sigma-max.")
    var sigmaGrid = SigmaOptions().gridPoints

    @Option(help: "Grid: sigmas tried between the best grid point's neighbours.")
    var sigmaRefine = SigmaOptions().refinePoints

    @Option(
        help:
            "Search and grid: lower the predicted scores by this many standard errors of the search models' mean (search: default 1; grid: 2)."
    )
    var sigmaCaution: Double?

    @Option(help: "Gradient: step size on sigma per unit of d(radius)/d(sigma).")
    var sigmaLr = SigmaOptions().learningRate

    @Option(help: "Gradient: largest change of sigma in one step.")
    var sigmaMaxStep = SigmaOptions().maxStep

    @Option(help: "Upper bound of sigma (default: 8 x sigma0; gradient: 1.0).")
    var sigmaMax: Double?

    @Option(help: "Seed of the search's draws (each sample's draws also depend on a hash of its decoded pixels).")
    var sigmaSeed: UInt64 = 0

    func validate() throws {
        guard sigmaDraws ?? 1 >= 1, sigmaModels ?? 1 >= 1, sigmaPoints ?? 1 >= 1, sigmaLr > 0, sigmaMaxStep > 0, sigmaGrid >= 1,
            sigmaRefine >= 0
        else {
            throw ValidationError(
                "--sigma-draws, --sigma-models, --sigma-points, --sigma-lr, --sigma-max-step and --sigma-grid must be positive, --sigma-refine at least 0"
            )
        }
        guard sigmaBudget >= 0, sigmaBudget.isFinite else { throw ValidationError("--sigma-budget must be a fraction at least 0") }
        if let steps = sigmaSteps, steps < 0 { throw ValidationError("--sigma-steps must be at least 0") }
        if let m = sigmaMax, !(m > 0) { throw ValidationError("--sigma-max must be positive") }
    }

    /// The options for a run; `fallback` is the rule when none was given.
    func options(fallback: SigmaRule, trigger: String) -> SigmaOptions {
        let rule = sigmaRule ?? fallback
        var o: SigmaOptions
        switch rule {
        case .released: o = .released(trigger: trigger)
        case .gradient: o = .gradient; o.learningRate = sigmaLr; o.maxStep = sigmaMaxStep; o.models = sigmaModels ?? o.models
        case .search:
            o = SigmaOptions(); o.budget = sigmaBudget; o.points = sigmaPoints ?? 0; o.searchModels = sigmaModels ?? 0
            o.caution = sigmaCaution ?? o.caution
        case .grid: o = .grid; o.gridPoints = sigmaGrid; o.refinePoints = sigmaRefine; o.caution = sigmaCaution ?? o.caution
        case .fixed: o = .fixedRule
        }
        if let steps = sigmaSteps { o.steps = steps }
        if let draws = sigmaDraws, rule == .search || rule == .grid || rule == .gradient { o.draws = draws }
        if let m = sigmaMax { o.sigmaMax = m }
        o.seed = sigmaSeed
        return o
    }
}

extension SigmaRule: ExpressibleByArgument {}
