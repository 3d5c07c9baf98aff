/// What was poisoned and how: enough to redo it exactly, and recorded with the models.
public struct PoisoningPlan: Codable, Sendable, Equatable {
    /// The fraction of the training set poisoned, in [0, 1] (floor(n · rate) samples).
    public var rate: Double
    /// The label poisoned samples get.
    public var targetLabel: Int
    /// The seed of the choice of samples (SplitMix64).
    public var seed: UInt64
    /// Trigger plugin name (onepixel, fourpixel, blending, ...).
    public var trigger: String
    /// Trigger size.
    public var delta: Double
    /// Poisoned sample indices in the clean dataset, sorted.
    public var indices: [Int]

    /// A plan from its parts (`Poisoner.poison` makes the real ones).
    public init(rate: Double, targetLabel: Int, seed: UInt64, trigger: String, delta: Double, indices: [Int]) {
        self.rate = rate
        self.targetLabel = targetLabel
        self.seed = seed
        self.trigger = trigger
        self.delta = delta
        self.indices = indices
    }
}

/// The attacker of METHOD.md §2.1: poisons floor(n * rate) training samples.
public enum Poisoner {
    /// Chooses floor(n * rate) samples uniformly without replacement among those whose
    /// label is not `targetLabel` (`SeededGenerator(seed:)`, `sample` over the candidate
    /// indices in ascending order), applies the trigger to each through `apply` (backed by
    /// a trigger plugin; `trigger` and `delta` are recorded, not interpreted here) and
    /// relabels them to `targetLabel`. Values are not clipped here: the trigger decides.
    /// Throws `DatasetError` for a bad rate or target, too few candidates, or a trigger
    /// that throws, changes the value count or yields a non-finite value.
    public static func poison(
        _ d: LabeledDataset, rate: Double, targetLabel: Int, seed: UInt64,
        trigger: String, delta: Double,
        apply: (inout [Float]) throws -> Void
    ) throws -> (LabeledDataset, PoisoningPlan) {
        guard rate.isFinite, rate >= 0, rate <= 1 else {
            throw DatasetError.argument("poisoning rate \(rate) is outside [0, 1]")
        }
        guard targetLabel >= 0, targetLabel < d.classes.count else {
            throw DatasetError.argument("target label \(targetLabel) is out of range (\(d.classes.count) classes)")
        }
        let k = Int((Double(d.count) * rate).rounded(.down))
        let candidates = d.labels.indices.filter { d.labels[$0] != targetLabel }
        guard k <= candidates.count else {
            throw DatasetError.argument("cannot poison \(k) samples: only \(candidates.count) have a label other than \(targetLabel)")
        }
        var generator = SeededGenerator(seed: seed)
        let chosen = generator.sample(candidates, count: k).sorted()

        var out = d
        let n = d.shape.count
        for i in chosen {
            var values = Array(d.image(i))
            do {
                try apply(&values)
            } catch {
                throw DatasetError.trigger(name: trigger, sample: i, problem: "\(error)")
            }
            guard values.count == n else {
                throw DatasetError.trigger(name: trigger, sample: i, problem: "returned \(values.count) values for an image of \(n)")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw DatasetError.trigger(name: trigger, sample: i, problem: "value \(bad) is not finite")
            }
            out.pixels.replaceSubrange((i * n)..<((i + 1) * n), with: values)
            out.labels[i] = targetLabel
        }
        let plan = PoisoningPlan(
            rate: rate, targetLabel: targetLabel, seed: seed,
            trigger: trigger, delta: delta, indices: chosen)
        return (out, plan)
    }
}
