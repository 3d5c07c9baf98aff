/// The sample-specific sigma found for one input (DESIGN 2.5), stored as JSON in `sigmas`.
public struct StoredSigma: Codable, Equatable, Sendable {
    public var sigma: Double
    public var sigma0: Double
    /// The search rule that produced it.
    public var rule: String
    public var steps: Int
    public var seed: UInt64

    public init(sigma: Double, sigma0: Double, rule: String, steps: Int, seed: UInt64) {
        self.sigma = sigma
        self.sigma0 = sigma0
        self.rule = rule
        self.steps = steps
        self.seed = seed
    }
}
