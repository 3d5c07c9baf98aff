/// What the ensemble said about one input, and how to certify it.
///
/// The number of models N is not a separate field: every model casts exactly
/// one hard vote, so N = votes.reduce(0, +) (`nModels`). One source of truth
/// means N can't disagree with the votes, and the Hoeffding margin always
/// uses the number of models actually run (DESIGN 2.4), never a constant.
public struct CertificateInput: Sendable {
    /// Class scores averaged over the N models (float64); sums to ~1.
    public var meanScores: [Double]
    /// Hard votes per class: each model's argmax, ties to the lower class.
    public var votes: [Int]
    /// The sigma that goes into the radius (R = sigma * M).
    public var sigma: Double
    /// Total failure probability of the certificate.
    public var alpha: Double
    public var bound: BoundKind

    public init(meanScores: [Double], votes: [Int], sigma: Double,
                alpha: Double = 0.001, bound: BoundKind = .hoeffding) {
        self.meanScores = meanScores
        self.votes = votes
        self.sigma = sigma
        self.alpha = alpha
        self.bound = bound
    }

    /// N, the number of models: one vote each.
    public var nModels: Int { votes.reduce(0, +) }
}
