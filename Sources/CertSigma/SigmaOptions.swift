/// How a sample's sigma is chosen (METHOD.md §2.5).
public enum SigmaRule: String, Codable, Sendable, CaseIterable {
    /// sigma0 for every sample (RAB).
    case fixed
    /// The default: a one-dimensional search on s that keeps the label and maximises the
    /// certified radius the certificate will report (its bound, its N, its alpha), from
    /// forward passes of the search models only, within a budget of model runs per input
    /// (a fraction of the set's size; `SigmaSearch+Budget`).
    case search
    /// The previous default: the same objective on a fixed grid of `gridPoints` sigmas plus
    /// `refinePoints`, `draws` draws through every search model (`SigmaSearch+Grid`).
    case grid
    /// Stochastic gradient ascent on the margin-free expected radius, with the
    /// reparameterised gradient d/ds p(x + s·ε) = ∇ₓp · ε averaged over `draws` draws per step.
    case gradient
    /// The authors' released rule: one draw per step, s += 1e-4·|Φ⁻¹(clamp(p, 0.02, 0.98))|.
    case released
}

/// Every knob of the sigma search; recorded with each sigma so it can be reproduced.
public struct SigmaOptions: Codable, Sendable, Equatable {
    /// Which rule; `search` by default (`--sigma-rule`, `sigma_rule`).
    public var rule: SigmaRule = .search
    /// Gradient and released rules: steps.
    public var steps: Int = 60
    /// Search and grid rules: noise draws per search model at each sigma tried; gradient: per step.
    public var draws: Int = 1
    /// Gradient rule: the step size on sigma per unit of gradient (each step then capped at
    /// `maxStep`).
    public var learningRate: Double = 0.01
    /// Bound on one gradient step's change of sigma.
    public var maxStep: Double = 0.01
    /// sigma stays in [sigma0, sigmaMax]; 0 means 8 × sigma0.
    public var sigmaMax: Double = 0
    /// Gradient rule: how many of the search models give the gradient (memory: one network
    /// copy each per worker).
    public var models: Int = 16
    /// Grid rule: sigmas of the coarse geometric grid from sigma0 to sigmaMax, then points
    /// tried between the best one's neighbours.
    public var gridPoints: Int = 10
    /// Grid rule: sigmas tried between the best grid point's neighbours (4).
    public var refinePoints: Int = 4
    /// Search rule: model runs per input at most `budget` × the set's model count (one full
    /// ensemble pass is the set's model count), but never below the smallest search
    /// (`SigmaSearch.minimumPlan`); see `SigmaSearch.plan`.
    public var budget: Double = 0.1
    /// Search rule: sigmas tried per input, sigma0 (the label's pass) included; 0 chooses
    /// from the budget.
    public var points: Int = 0
    /// Search rule: how many search models run (evenly spaced in the set's search list); 0
    /// chooses from the budget.
    public var searchModels: Int = 0
    /// Search and grid rules: the predicted scores are lowered by this many standard errors of
    /// the search models' mean (their model-to-model spread), since other models certify.
    /// 1 for search (each model on its own draws, so the spread includes the noise's; with 2
    /// it chose smaller sigmas than the grid rule on the 1000-model set: −1.6% median radius
    /// of the label-1 digits), 2 for grid.
    public var caution: Double = 1
    /// Mixed into every sample's seed (`--sigma-seed`); part of the store's kind.
    public var seed: UInt64 = 0

    /// The defaults: the budgeted `search` rule (10% of a pass, one draw, caution 1), sigma up to
    /// 8 × sigma0.
    public init() {}

    /// The upper end of sigma for a set trained at `sigma0`.
    public func upperSigma(sigma0: Double) -> Double {
        sigmaMax > 0 ? max(sigmaMax, sigma0) : 8 * sigma0
    }

    /// The released rule's step counts: its MNIST sigma files equal 850 saturated steps for
    /// onepixel and 1100 for the other shapes.
    public static func released(trigger: String) -> SigmaOptions {
        var o = SigmaOptions()
        o.rule = .released
        o.steps = trigger == "onepixel" ? 850 : 1100
        o.draws = 1
        o.models = 1
        return o
    }

    /// The grid rule, the default before the budgeted search: 10 + 4 sigmas × 2 draws × every
    /// search model (224 model runs per input on the shipped 72-model set).
    public static var grid: SigmaOptions {
        var o = SigmaOptions()
        o.rule = .grid
        o.draws = 2
        o.caution = 2
        return o
    }

    /// The gradient rule as it shipped before the search: 60 steps of 8 draws.
    public static var gradient: SigmaOptions {
        var o = SigmaOptions()
        o.rule = .gradient
        o.draws = 8
        o.sigmaMax = 1.0
        return o
    }

    /// The fields that make two certificates of the same kind (the store's identity).
    public var identity: [String: String] {
        var fields = ["sigma_rule": rule.rawValue, "sigma_seed": String(seed), "sigma_max": "\(sigmaMax)"]
        switch rule {
        case .fixed: return ["sigma_rule": rule.rawValue, "sigma_seed": String(seed)]
        case .search:
            fields["sigma_draws"] = String(draws)
            fields["sigma_budget"] = "\(budget)"
            fields["sigma_points"] = String(points)
            fields["sigma_models"] = String(searchModels)
            fields["sigma_caution"] = "\(caution)"
        case .grid:
            fields["sigma_draws"] = String(draws)
            fields["sigma_grid"] = "\(gridPoints)+\(refinePoints)"
            fields["sigma_caution"] = "\(caution)"
        case .gradient:
            fields["sigma_draws"] = String(draws); fields["sigma_steps"] = String(steps)
            fields["sigma_lr"] = "\(learningRate)"; fields["sigma_max_step"] = "\(maxStep)"; fields["sigma_models"] = String(models)
        case .released:
            fields["sigma_steps"] = String(steps)
        }
        return fields
    }
}

/// Why a search stopped where it did.
public enum SigmaStop: String, Codable, Sendable {
    /// No larger sigma predicts a larger certified radius.
    case sigma0
    /// The predicted radius peaks between sigma0 and sigmaMax.
    case optimum
    /// The next larger sigma tried no longer keeps the label on top for the search models.
    case label
    /// The predicted radius still grows at the upper end of sigma.
    case sigmaMax = "sigma_max"
    /// A rule with a fixed number of steps (gradient, released) ran them all.
    case steps
    /// The set has no search models: sigma0, label from the certifying models (RAB).
    case noSearchModels = "no_search_models"
}

/// A sample's sigma and how it was found.
public struct SigmaResult: Codable, Sendable, Equatable {
    /// The chosen sigma, never below sigma0 (search and gradient also stay at or below
    /// `upperSigma`; the released rule has no cap).
    public var sigma: Double
    /// The sigma the rule started from.
    public var sigma0: Double
    /// The rule that produced it (`fixed` for a set without search models).
    public var rule: SigmaRule
    /// Sigmas tried (search) or steps taken (gradient, released).
    public var steps: Int
    /// Noise draws per search model at each sigma (search) or per step (gradient, released).
    public var draws: Int
    /// Search models that ran.
    public var models: Int
    /// Seed of this sample's draws (from the options' seed and a hash of its decoded pixels).
    public var seed: UInt64
    /// The radius the search predicted for the certificate at `sigma` (NaN when the rule
    /// does not estimate it).
    public var radiusEstimate: Double
    /// The class the search models give at sigma0, which the certificate then certifies;
    /// nil when the set has no search models.
    public var label: Int?
    /// Why the search stopped; nil for `fixed` and for the label-only pass of the step rules.
    public var stop: SigmaStop?
    /// Forward passes of one model on one image spent on this sample's search (backward
    /// passes of the gradient rule count as two more each).
    public var modelRuns: Int

    /// A result from its fields.
    public init(
        sigma: Double, sigma0: Double, rule: SigmaRule, steps: Int, draws: Int, models: Int, seed: UInt64,
        radiusEstimate: Double, label: Int? = nil, stop: SigmaStop? = nil, modelRuns: Int = 0
    ) {
        self.sigma = sigma; self.sigma0 = sigma0; self.rule = rule; self.steps = steps; self.draws = draws
        self.models = models; self.seed = seed; self.radiusEstimate = radiusEstimate
        self.label = label; self.stop = stop; self.modelRuns = modelRuns
    }

    /// sigma0 itself (RAB), with the label chosen elsewhere.
    public static func fixed(_ sigma0: Double, label: Int? = nil) -> SigmaResult {
        SigmaResult(sigma: sigma0, sigma0: sigma0, rule: .fixed, steps: 0, draws: 0, models: 0, seed: 0, radiusEstimate: .nan, label: label)
    }

    // NaN is not valid JSON: the estimate is written as null when absent.
    enum CodingKeys: String, CodingKey {
        case sigma, sigma0, rule, steps, draws, models, seed
        case radiusEstimate = "radius_estimate"
        case label, stop
        case modelRuns = "model_runs"
    }

    /// Decodes the snake_case JSON of `encode(to:)`; a missing `radius_estimate` is NaN, a missing
    /// `model_runs` 0.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sigma: try c.decode(Double.self, forKey: .sigma), sigma0: try c.decode(Double.self, forKey: .sigma0),
            rule: try c.decode(SigmaRule.self, forKey: .rule), steps: try c.decode(Int.self, forKey: .steps),
            draws: try c.decode(Int.self, forKey: .draws), models: try c.decode(Int.self, forKey: .models),
            seed: try Self.decodeSeed(c),
            radiusEstimate: try c.decodeIfPresent(Double.self, forKey: .radiusEstimate) ?? .nan,
            label: try c.decodeIfPresent(Int.self, forKey: .label), stop: try c.decodeIfPresent(SigmaStop.self, forKey: .stop),
            modelRuns: try c.decodeIfPresent(Int.self, forKey: .modelRuns) ?? 0)
    }

    /// The seed as written now (a decimal string) or by older verdicts (a bare number).
    private static func decodeSeed(_ c: KeyedDecodingContainer<CodingKeys>) throws -> UInt64 {
        if let text = try? c.decode(String.self, forKey: .seed) {
            guard let seed = UInt64(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .seed, in: c, debugDescription: "seed \"\(text)\" is not an unsigned 64-bit integer")
            }
            return seed
        }
        return try c.decode(UInt64.self, forKey: .seed)
    }

    /// snake_case JSON; the estimate is left out when it is not finite (NaN is not JSON).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sigma, forKey: .sigma); try c.encode(sigma0, forKey: .sigma0); try c.encode(rule, forKey: .rule)
        try c.encode(steps, forKey: .steps); try c.encode(draws, forKey: .draws); try c.encode(models, forKey: .models)
        // A decimal string: a 64-bit number in JSON is rounded by jq and JavaScript (2^53).
        try c.encode(String(seed), forKey: .seed)
        if radiusEstimate.isFinite { try c.encode(radiusEstimate, forKey: .radiusEstimate) }
        try c.encodeIfPresent(label, forKey: .label); try c.encodeIfPresent(stop, forKey: .stop)
        try c.encode(modelRuns, forKey: .modelRuns)
    }

    /// Equal when every field is; NaN estimates compare equal to each other.
    public static func == (a: SigmaResult, b: SigmaResult) -> Bool {
        a.sigma == b.sigma && a.sigma0 == b.sigma0 && a.rule == b.rule && a.steps == b.steps && a.draws == b.draws
            && a.models == b.models && a.seed == b.seed && a.label == b.label && a.stop == b.stop && a.modelRuns == b.modelRuns
            && (a.radiusEstimate == b.radiusEstimate || (a.radiusEstimate.isNaN && b.radiusEstimate.isNaN))
    }
}
