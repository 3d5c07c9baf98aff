/// How a sample's sigma is chosen (DESIGN 2.5).
public enum SigmaRule: String, Codable, Sendable, CaseIterable {
    /// sigma0 for every sample (RAB).
    case fixed
    /// Stochastic gradient ascent on the expected radius, with the reparameterised gradient
    /// d/ds p(x + s·ε) = ∇ₓp · ε averaged over `draws` draws per step.
    case gradient
    /// The authors' released rule: one draw per step, s += 1e-4·|Φ⁻¹(clamp(p, 0.02, 0.98))|.
    case released
}

/// Every knob of the sigma search; recorded with each sigma so it can be reproduced.
public struct SigmaOptions: Codable, Sendable, Equatable {
    public var rule: SigmaRule = .gradient
    public var steps: Int = 60
    public var draws: Int = 8
    public var learningRate: Double = 0.01
    /// Bound on one step's change of sigma.
    public var maxStep: Double = 0.01
    /// sigma stays in [sigma0, sigmaMax].
    public var sigmaMax: Double = 1.0
    /// The first `models` models of the set give the gradient (memory: one network copy
    /// each per worker).
    public var models: Int = 16
    public var seed: UInt64 = 0

    public init() {}

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
}

/// A sample's sigma and how it was found.
public struct SigmaResult: Codable, Sendable, Equatable {
    public var sigma: Double
    public var sigma0: Double
    public var rule: SigmaRule
    public var steps: Int
    public var draws: Int
    public var models: Int
    /// Seed of this sample's draws (derived from the options' seed and the input's hash).
    public var seed: UInt64
    /// The expected radius s·M̂ at the final sigma, from the search's own draws (NaN when
    /// the rule does not estimate it).
    public var radiusEstimate: Double

    public init(sigma: Double, sigma0: Double, rule: SigmaRule, steps: Int, draws: Int, models: Int, seed: UInt64, radiusEstimate: Double) {
        self.sigma = sigma; self.sigma0 = sigma0; self.rule = rule; self.steps = steps; self.draws = draws
        self.models = models; self.seed = seed; self.radiusEstimate = radiusEstimate
    }

    /// sigma0 itself (RAB).
    public static func fixed(_ sigma0: Double) -> SigmaResult {
        SigmaResult(sigma: sigma0, sigma0: sigma0, rule: .fixed, steps: 0, draws: 0, models: 0, seed: 0, radiusEstimate: .nan)
    }

    // NaN is not valid JSON: the estimate is written as null when absent.
    enum CodingKeys: String, CodingKey { case sigma, sigma0, rule, steps, draws, models, seed, radiusEstimate = "radius_estimate" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(sigma: try c.decode(Double.self, forKey: .sigma), sigma0: try c.decode(Double.self, forKey: .sigma0),
                  rule: try c.decode(SigmaRule.self, forKey: .rule), steps: try c.decode(Int.self, forKey: .steps),
                  draws: try c.decode(Int.self, forKey: .draws), models: try c.decode(Int.self, forKey: .models),
                  seed: try c.decode(UInt64.self, forKey: .seed),
                  radiusEstimate: try c.decodeIfPresent(Double.self, forKey: .radiusEstimate) ?? .nan)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sigma, forKey: .sigma); try c.encode(sigma0, forKey: .sigma0); try c.encode(rule, forKey: .rule)
        try c.encode(steps, forKey: .steps); try c.encode(draws, forKey: .draws); try c.encode(models, forKey: .models)
        try c.encode(seed, forKey: .seed)
        if radiusEstimate.isFinite { try c.encode(radiusEstimate, forKey: .radiusEstimate) }
    }

    /// Equal when every field is; NaN estimates compare equal to each other.
    public static func == (a: SigmaResult, b: SigmaResult) -> Bool {
        a.sigma == b.sigma && a.sigma0 == b.sigma0 && a.rule == b.rule && a.steps == b.steps && a.draws == b.draws
            && a.models == b.models && a.seed == b.seed
            && (a.radiusEstimate == b.radiusEstimate || (a.radiusEstimate.isNaN && b.radiusEstimate.isNaN))
    }
}
