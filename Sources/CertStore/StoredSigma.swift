/// The sample-specific sigma found for one input (METHOD.md §2.5), stored as JSON in `sigmas`.
public struct StoredSigma: Codable, Equatable, Sendable {
    /// The sigma found, never below sigma0 (`fixed` gives sigma0 itself).
    public var sigma: Double
    /// The model set's sigma0 the search started from.
    public var sigma0: Double
    /// The search rule that produced it.
    public var rule: String
    /// How many sigmas (or steps) the search tried.
    public var steps: Int
    /// The seed of the search's noise (from the input's pixels and `--sigma-seed`).
    public var seed: UInt64

    /// A record from its fields.
    public init(sigma: Double, sigma0: Double, rule: String, steps: Int, seed: UInt64) {
        self.sigma = sigma
        self.sigma0 = sigma0
        self.rule = rule
        self.steps = steps
        self.seed = seed
    }
}
