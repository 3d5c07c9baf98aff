/// What the certifying models said about one input, and how to certify it.
///
/// The number of models N is not a separate field: every model casts exactly
/// one hard vote, so N = votes.reduce(0, +) (`nModels`). One source of truth
/// means N can't disagree with the votes, and every bound uses the number of
/// models actually run (METHOD.md §2.4), never a constant.
public struct CertificateInput: Sendable {
    /// Class scores averaged over the N models (float64); sums to ~1.
    public var meanScores: [Double]
    /// Hard votes per class: each model's argmax, ties to the lower class.
    public var votes: [Int]
    /// The sigma that goes into the radius (R = sigma * M).
    public var sigma: Double
    /// Total failure probability of the certificate.
    public var alpha: Double
    /// Which bound turns the outputs into (pA_low, pB_up); `Certificate.compute` switches on it.
    public var bound: BoundKind
    /// The class to certify, fixed before these models ran (by the search models at sigma0).
    /// nil: the top class of these very scores (RAB's rule; the label is then chosen from the
    /// bounded draws themselves).
    public var label: Int?
    /// Each model's score of every class, model-major (`[m * classes + c]`), in the models'
    /// fixed order: the betting bound reads the sequence, not only its mean.
    public var modelScores: [Double]

    /// The inputs of one certificate; `modelScores` may stay empty except for the betting bound,
    /// which needs the per-model sequence.
    public init(
        meanScores: [Double], votes: [Int], sigma: Double,
        alpha: Double = 0.001, bound: BoundKind = .hoeffding,
        label: Int? = nil, modelScores: [Double] = []
    ) {
        self.meanScores = meanScores
        self.votes = votes
        self.sigma = sigma
        self.alpha = alpha
        self.bound = bound
        self.label = label
        self.modelScores = modelScores
    }

    /// N, the number of models: one vote each.
    public var nModels: Int { votes.reduce(0, +) }

    /// The scores of class `c`, one per model, in model order.
    public func scores(of c: Int) -> [Double] {
        let k = meanScores.count
        guard k > 0, modelScores.count == nModels * k else { return [] }
        return stride(from: c, to: modelScores.count, by: k).map { modelScores[$0] }
    }
}
