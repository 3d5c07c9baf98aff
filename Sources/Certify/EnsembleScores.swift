import CertCore

/// Turns per-model logits into what the certificate needs: class scores averaged in
/// float64 over the models, in model order, and one hard vote per model.
public struct EnsembleScores: Sendable, Equatable {
    public var meanScores: [Double]
    public var votes: [Int]

    /// `logits` holds `outputs` values per model, models in order. One output is a binary
    /// task (sigmoid gives P(label 1), scores (1-p, p)); more outputs go through softmax.
    public init(logits: [Float], outputs: Int, classes: Int) {
        let models = logits.count / outputs
        var sums = [Double](repeating: 0, count: classes)
        var votes = [Int](repeating: 0, count: classes)
        var scores = [Double](repeating: 0, count: classes)
        for m in 0..<models {
            let row = logits[(m * outputs)..<((m + 1) * outputs)]
            if outputs == 1 {
                let p = Elementwise.sigmoid(Double(row.first!))
                scores[0] = 1 - p
                scores[1] = p
            } else {
                let top = Double(row.max()!)
                var total = 0.0
                for (c, v) in row.enumerated() { scores[c] = exp(Double(v) - top); total += scores[c] }
                for c in 0..<classes { scores[c] /= total }
            }
            var best = 0
            for c in 0..<classes {
                sums[c] += scores[c]
                if scores[c] > scores[best] { best = c }  // ties go to the lower class
            }
            votes[best] += 1
        }
        meanScores = sums.map { $0 / Double(models) }
        self.votes = votes
    }
}

#if canImport(Glibc)
import Glibc
#endif
