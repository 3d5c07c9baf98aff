import Foundation

/// One model's class scores from its logits: a single output is a binary task (sigmoid
/// gives P(label 1), scores (1 - p, p)); more outputs go through softmax. Float64, so the
/// averages over many models lose nothing.
public enum ClassScores {
    /// Writes the class scores of one logit row into `scores` (at least `classes` long, and 2 for a
    /// single logit): (1 − σ(l), σ(l)) for one logit, a max-shifted softmax for more.
    public static func of(_ row: ArraySlice<Float>, classes: Int, into scores: inout [Double]) {
        if row.count == 1 {
            let p = Elementwise.sigmoid(Double(row.first!))
            scores[0] = 1 - p
            scores[1] = p
            return
        }
        let top = Double(row.max()!)
        var total = 0.0
        for (c, v) in row.enumerated() { scores[c] = exp(Double(v) - top); total += scores[c] }
        for c in 0..<classes { scores[c] /= total }
    }

    /// The class with the largest score, ties to the lower class.
    public static func top(_ scores: [Double]) -> Int {
        var best = 0
        for c in scores.indices where scores[c] > scores[best] { best = c }
        return best
    }
}
