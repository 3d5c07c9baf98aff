import CertCore

/// Turns per-model logits into what the certificate needs: class scores averaged in
/// float64 over the models, in model order, one hard vote per model, and every model's
/// scores in order (the betting bound reads the sequence).
public struct EnsembleScores: Sendable, Equatable {
    /// Each class's score averaged over the models (float64, model order); sums to ~1.
    public var meanScores: [Double]
    /// Hard votes per class: each model's top class, ties to the lower.
    public var votes: [Int]
    /// `[m * classes + c]`, models in order.
    public var modelScores: [Double]
    /// False when some model's output was NaN or infinite (then the rest means nothing).
    public var finite: Bool

    /// `logits` holds `outputs` values per model, models in order.
    public init(logits: [Float], outputs: Int, classes: Int) {
        let models = logits.count / outputs
        var sums = [Double](repeating: 0, count: classes)
        var votes = [Int](repeating: 0, count: classes)
        var scores = [Double](repeating: 0, count: classes)
        var all: [Double] = []
        all.reserveCapacity(models * classes)
        finite = logits.allSatisfy(\.isFinite)
        for m in 0..<models {
            ClassScores.of(logits[(m * outputs)..<((m + 1) * outputs)], classes: classes, into: &scores)
            for c in 0..<classes { sums[c] += scores[c] }
            votes[ClassScores.top(scores)] += 1
            all += scores
        }
        meanScores = sums.map { $0 / Double(models) }
        self.votes = votes
        modelScores = all
    }
}
