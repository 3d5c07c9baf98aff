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
    /// The expected radius s·M̂ at the final sigma, from the search's own draws.
    public var radiusEstimate: Double
}
