#if canImport(Glibc)
    import Glibc  // maths
#endif

/// Losses averaged over the batch, returning the value and d(loss)/d(logits).
public enum Loss {
    /// Binary cross-entropy on one logit per sample; labels 0 or 1. Stable form:
    /// max(z,0) − z·y + log(1 + e^(−|z|)).
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, labels: [Int]) -> (loss: Double, grad: Tensor) {
        let n = logits.batch
        var loss = 0.0
        var grad = Tensor(zeros: logits.shape)
        for i in 0..<n {
            let z = Double(logits.data[i]), y = Double(labels[i])
            loss += max(z, 0) - z * y + log1p(exp(-abs(z)))
            let p = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
            grad.data[i] = Float((p - y) / Double(n))
        }
        return (loss / Double(n), grad)
    }

    /// Softmax cross-entropy on K logits per sample.
    public static func softmaxCrossEntropy(_ logits: Tensor, labels: [Int]) -> (loss: Double, grad: Tensor) {
        let n = logits.batch, k = logits.shape[1]
        var loss = 0.0
        var grad = Tensor(zeros: logits.shape)
        for i in 0..<n {
            let row = (0..<k).map { Double(logits.data[i * k + $0]) }
            let top = row.max()!
            let e = row.map { exp($0 - top) }
            let z = e.reduce(0, +)
            loss += -(row[labels[i]] - top - log(z))
            for c in 0..<k { grad.data[i * k + c] = Float((e[c] / z - (c == labels[i] ? 1 : 0)) / Double(n)) }
        }
        return (loss / Double(n), grad)
    }
}
