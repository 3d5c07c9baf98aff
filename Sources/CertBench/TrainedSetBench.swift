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

    /// One configuration to measure: its certifier and its early-stopping targets per digit
    /// (nil: none).
    public struct Configuration {
        /// The certifier (its options decide the bound and the sigma rule).
        public var certifier: Certifier
        /// Early-stopping targets per digit, or nil for none.
        public var targets: [Double?]?

        /// A configuration of `certifier` with `targets`.
        public init(_ certifier: Certifier, targets: [Double?]?) {
            self.certifier = certifier
            self.targets = targets
        }
    }

    /// Certifies `digits` `repeats` times with each configuration, in micro-batches of
    /// `batch`, and scores the verdicts against `labels` and `targetRadii`. The runs
    /// interleave (A B, B A, A B, …) so the configurations' throughputs are of neighbouring
    /// moments: on a shared host the speed moves by a third within minutes, and a ratio of
    /// two blocks of runs measured a minute apart moved with it.
    public static func measure(
        _ configurations: [Configuration], digits: [CertificationRequest], labels: [Int], targetRadii: [Double?],
        batch: Int, repeats: Int
    ) throws -> [Outcome] {
        var seconds = configurations.map { _ in [Double]() }
        var first = configurations.map { _ in [Verdict]() }
        for r in 0..<repeats {
            let order = r % 2 == 0 ? Array(configurations.indices) : configurations.indices.reversed()
            for i in order {
                let c = configurations[i]
                let run = try EngineBench.certify(c.certifier, digits, batch: batch, targets: c.targets)
                seconds[i].append(run.seconds)
                if first[i].isEmpty { first[i] = run.verdicts }
            }
        }
        return configurations.indices.map { i in
            let certifying = configurations[i].certifier.scheduler.ensemble.count
            return score(first[i], seconds: seconds[i], labels: labels, targetRadii: targetRadii, certifying: certifying)
        }
    }

    /// The figures of one configuration's verdicts (the same in every run: the draws are
    /// seeded from the pixels) and run times.
    static func score(_ verdicts: [Verdict], seconds: [Double], labels: [Int], targetRadii: [Double?], certifying: Int) -> Outcome {
        let n = Double(verdicts.count)
        let correct = zip(verdicts, zip(labels, targetRadii)).filter { v, truth in
            v.certified && v.label == truth.0 && v.radius > (truth.1 ?? 0)
        }.count
        func mean(_ f: (Verdict) -> Double) -> Double { verdicts.reduce(0) { $0 + f($1) } / n }
        return Outcome(
            seconds: seconds, accuracy: Double(correct) / n,
            modelRunsPerImage: mean { Double(EngineBench.modelRuns($0, certifying: certifying)) },
            certifyingModelsPerImage: mean { Double($0.nModels) }, searchRunsPerImage: mean { Double($0.sigmaSearch?.modelRuns ?? 0) },
            fallbackFraction: mean { $0.fallback ? 1 : 0 }, stoppedEarlyFraction: mean { $0.stoppedEarly ? 1 : 0 },
            imagesPerSecond: seconds.map { n / $0 })
    }
}
