import CertCore
import CertMath

/// The early-stopping target of a certificate (`--target-radius`, `target_radius`).
public enum TargetRadius: Sendable, Equatable, CustomStringConvertible {
    /// A fixed L2 radius.
    case radius(Double)
    /// The largest L2 size among the loaded trigger plugins' perturbations of each image.
    case triggers

    /// `"triggers"` or a non-negative number.
    public init?(_ text: String) {
        if text == "triggers" { self = .triggers; return }
        guard let r = Double(text), r.isFinite, r >= 0 else { return nil }
        self = .radius(r)
    }

    /// "triggers" or the radius, as the config spells it (and as the store's kind records it).
    public var description: String {
        switch self {
        case .triggers: return "triggers"
        case let .radius(r): return "\(r)"
        }
    }
}

/// Anytime-valid early stopping (betting bound only; the rule is `CertMath.EarlyStopping`).
///
/// The certifying models run in blocks of `stoppingBlock`, in their fixed order (the set's
/// order, chosen before any input is seen). After each block an image stops as soon as its
/// question is decided: certified beyond the target (sigma·Φ⁻¹(L_t) > target) or unable to
/// reach it (sigma·Φ⁻¹(U_t) ≤ target). The reported certificate is the betting lower bound
/// at that moment, valid at any stopping time (Ville's inequality: the bound holds at all t
/// at once with probability ≥ 1 − alpha). Randomness: which models were trained and their
/// noise, as for every bound.
extension Certifier {
    /// Models per block between two looks at the bound.
    public static let stoppingBlock = 16

    /// Logits of the certifying models per image, in blocks, each image until its question
    /// is decided (all models when `targets[j]` is nil). `[image][model * outputs + o]` for
    /// the models that ran, in order. Each image's companions (its perturbed copies) run in
    /// the same blocks as the image and stop with it.
    func logitsStoppingEarly(
        _ prepared: [PreparedImage], scales: [Float], sigmas: [Double], labels: [Int?],
        targets: [Double?], alphas: [Double], companions: [[PreparedImage]]
    ) -> (images: [[Float]], companions: [[[Float]]]) {
        let ensemble = scheduler.ensemble
        let outputs = ensemble.outputs, classes = modelSet.manifest.classes.count
        var rows = [[Float]](repeating: [], count: prepared.count)
        var riderRows = companions.map { $0.map { _ in [Float]() } }
        var rules: [EarlyStopping?] = prepared.indices.map { j in
            targets[j].map { EarlyStopping(alpha: alphas[j], threshold: EarlyStopping.threshold(targetRadius: $0, sigma: sigmas[j])) }
        }
        var open = Array(prepared.indices)
        var scores = [Double](repeating: 0, count: classes)
        var start = 0
        while start < ensemble.count && !open.isEmpty {
            let block = start..<min(start + Self.stoppingBlock, ensemble.count)
            let riders = open.flatMap { companions[$0] }
            let riderScales = open.flatMap { j in companions[j].map { _ in scales[j] } }
            let logits = scheduler.logits(
                images: open.map { prepared[$0] } + riders, scales: open.map { scales[$0] } + riderScales, models: block)
            var next = open.count
            for j in open {
                for r in companions[j].indices { riderRows[j][r] += logits[next + r] }
                next += companions[j].count
            }
            var stillOpen: [Int] = []
            for (k, j) in open.enumerated() {
                rows[j] += logits[k]
                guard rules[j] != nil, let label = labels[j] else { stillOpen.append(j); continue }
                for m in 0..<block.count {
                    ClassScores.of(logits[k][(m * outputs)..<((m + 1) * outputs)], classes: classes, into: &scores)
                    rules[j]!.observe(scores[label])
                }
                if !rules[j]!.decided { stillOpen.append(j) }
            }
            open = stillOpen
            start = block.upperBound
        }
        return (rows, riderRows)
    }
}
