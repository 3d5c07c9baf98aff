import Certify

/// The trained set's figures (issue 10, item 7): throughput, certified accuracy beyond the
/// target radius and model runs per image on held-out digits, with and without a target.
public enum TrainedSetBench {
    /// What one configuration gave on the held-out digits: seconds of each run, and the
    /// figures of the first run's verdicts (the verdicts of every run are the same: the
    /// draws are seeded from the pixels).
    public struct Outcome: Sendable {
        /// Seconds of each run over all the digits.
        public var seconds: [Double]
        /// Fraction of digits certified with the true label and a radius above their target
        /// radius (the largest trigger L2 size on that digit; above 0 where no trigger applies).
        public var accuracy: Double
        /// Mean model runs per digit (`EngineBench.modelRuns`: search and certificates).
        public var modelRunsPerImage: Double
        /// Mean certifying models of the reported certificate (`n_models`).
        public var certifyingModelsPerImage: Double
        /// Mean sigma-search model runs.
        public var searchRunsPerImage: Double
        /// Fraction of verdicts that fell back to sigma0.
        public var fallbackFraction: Double
        /// Fraction of verdicts that stopped before every certifying model ran.
        public var stoppedEarlyFraction: Double
        /// Digits certified per second, per run.
        public var imagesPerSecond: [Double]
    }

    /// Certifies `digits` `repeats` times in micro-batches of `batch`, with early-stopping
    /// `targets` (nil: none), and scores the verdicts against `labels` and `targetRadii`.
    public static func measure(
        _ certifier: Certifier, digits: [CertificationRequest], labels: [Int], targetRadii: [Double?],
        targets: [Double?]?, batch: Int, repeats: Int
    ) throws -> Outcome {
        var seconds: [Double] = []
        var first: [Verdict] = []
        for r in 0..<repeats {
            let run = try EngineBench.certify(certifier, digits, batch: batch, targets: targets)
            seconds.append(run.seconds)
            if r == 0 { first = run.verdicts }
        }
        let n = Double(digits.count), certifying = certifier.scheduler.ensemble.count
        let correct = zip(first, zip(labels, targetRadii)).filter { v, truth in
            v.certified && v.label == truth.0 && v.radius > (truth.1 ?? 0)
        }.count
        func mean(_ f: (Verdict) -> Double) -> Double { first.reduce(0) { $0 + f($1) } / n }
        return Outcome(
            seconds: seconds, accuracy: Double(correct) / n,
            modelRunsPerImage: mean { Double(EngineBench.modelRuns($0, certifying: certifying)) },
            certifyingModelsPerImage: mean { Double($0.nModels) }, searchRunsPerImage: mean { Double($0.sigmaSearch?.modelRuns ?? 0) },
            fallbackFraction: mean { $0.fallback ? 1 : 0 }, stoppedEarlyFraction: mean { $0.stoppedEarly ? 1 : 0 },
            imagesPerSecond: seconds.map { n / $0 })
    }
}
