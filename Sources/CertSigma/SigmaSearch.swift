import CertCore
import CertMath
import CertScheduler
import CertTraining
import Foundation

/// What the certificate will be, so the search can maximise the radius it will report.
public struct SearchTarget: Sendable, Equatable {
    /// The certificate's bound.
    public var bound: BoundKind
    /// The alpha the certificate's bound will use (alpha/2 when the sigma0 fallback is on).
    public var alpha: Double
    /// The number of certifying models (N of the bound).
    public var certifyingModels: Int

    /// A target from its parts.
    public init(bound: BoundKind, alpha: Double, certifyingModels: Int) {
        self.bound = bound; self.alpha = alpha; self.certifyingModels = certifyingModels
    }
}

/// Finds each sample's label and sigma with the set's search models, which never certify
/// (METHOD.md §2.5). Every draw of a sample is addressed by (its seed, sigma index, draw), and
/// its seed is a hash of its decoded pixels and the options' seed, so a sigma never depends
/// on the worker count, on the file's encoding or on which other samples were searched with it.
/// The search noise has its own Philox key (`GaussianNoise.searchDomain`).
///
/// `@unchecked Sendable`: everything but `networks` is a `let` and never changes; `networks` is
/// read and filled only under `lock`. The per-worker networks and the scheduler's workspaces are
/// used inside `WorkerPool.run`, which serialises calls, so each is touched by one thread at a
/// time.
public final class SigmaSearch: @unchecked Sendable {
    /// The rule and its knobs.
    public let options: SigmaOptions
    /// The sigma the search starts from (the set's, unless overridden at init).
    public let sigma0: Double
    /// The certificate the search optimises for.
    public let target: SearchTarget
    let architecture: Architecture
    /// The search models' weights, in the set's order.
    let weights: [ModelWeights]
    let ensemble: Ensemble
    let workers: Int
    let scheduler: NoiseBatchScheduler
    /// Search, gradient and released rules: models or samples spread over these threads.
    let pool: WorkerPool
    /// Search rule: one forward-pass workspace per worker.
    let workspaces: [Workspace]
    /// Gradient and released rules: one set of network copies per worker.
    private var networks: [[TrainableNetwork]?]
    private let lock = NSLock()

    /// `models` are the search models (default: the set's `roles.search`); `sigma0` overrides
    /// the set's own starting sigma (the training noise of a new set, when a pilot set searches
    /// its training samples' sigmas).
    public init(
        modelSet: ModelSet, options: SigmaOptions, workers: Int, target: SearchTarget,
        models: [Int]? = nil, sigma0: Double? = nil
    ) {
        self.options = options
        self.sigma0 = sigma0 ?? modelSet.manifest.sigma0
        self.target = target
        setSize = modelSet.count
        architecture = modelSet.manifest.architecture
        let chosen = models ?? modelSet.roles.search
        let subset = modelSet.subset(chosen)
        weights = subset.weights
        ensemble = Ensemble(modelSet: subset)
        self.workers = max(1, workers)
        scheduler = NoiseBatchScheduler(ensemble: ensemble, workers: self.workers)
        pool = WorkerPool(workers: self.workers, name: "certssb-sigma")
        workspaces = (0..<self.workers).map { [ensemble] _ in ensemble.makeWorkspace() }
        networks = Array(repeating: nil, count: self.workers)
    }

    /// Number of search models.
    public var modelCount: Int { weights.count }
    /// Models in the whole set (search and certifying): one full ensemble pass, the unit of
    /// the search rule's budget.
    public let setSize: Int

    /// The seed of a sample's draws: SHA-256 of the options' seed and the float32 pixels.
    public static func sampleSeed(_ seed: UInt64, pixels: [Float]) -> UInt64 {
        var bytes = Array("certssb-sigma-search:\(seed):".utf8)
        pixels.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return UInt64(Checksum.sha256Hex(bytes).prefix(16), radix: 16)!
    }

    /// Draw `k` of the noise at sigma index `point` for a sample (CHW, `count` values).
    static func draw(_ seed: UInt64, point: Int, k: Int, count: Int) -> [Float] {
        GaussianNoise(
            seed: UInt32(truncatingIfNeeded: seed), stream: ((seed >> 32) << 32) | (UInt64(point) << 16) | UInt64(k),
            domain: GaussianNoise.searchDomain
        ).draws(count: count)
    }

    /// The label and sigma of every input (CHW pixels).
    public func sigmas(for inputs: [[Float]]) -> [SigmaResult] {
        guard !inputs.isEmpty else { return [] }
        let seeds = inputs.map { Self.sampleSeed(options.seed, pixels: $0) }
        guard modelCount > 0 else {
            return inputs.map { _ in
                SigmaResult(
                    sigma: sigma0, sigma0: sigma0, rule: .fixed, steps: 0, draws: 0, models: 0,
                    seed: 0, radiusEstimate: .nan, stop: .noSearchModels)
            }
        }
        switch options.rule {
        case .search:
            return budgeted(inputs, seeds: seeds)
        case .grid:
            return grid(inputs, seeds: seeds, points: options.gridPoints, refine: options.refinePoints)
        case .fixed:
            return grid(inputs, seeds: seeds, points: 1, refine: 0).map {
                var r = $0
                r.rule = .fixed; r.stop = nil; r.radiusEstimate = .nan
                return r
            }
        case .gradient, .released:
            // The label comes from the same selection at sigma0; the rule then moves sigma.
            let labels = grid(inputs, seeds: seeds, points: 1, refine: 0)
            return stepRules(inputs, seeds: seeds).enumerated().map { i, r in
                var r = r
                r.label = labels[i].label
                r.modelRuns += labels[i].modelRuns
                return r
            }
        }
    }

    /// Gradient and released rules, spread over the worker pool sample by sample.
    private func stepRules(_ inputs: [[Float]], seeds: [UInt64]) -> [SigmaResult] {
        var results = [SigmaResult?](repeating: nil, count: inputs.count)
        let claim = NSLock()
        var next = 0
        BLAS.useSingleThread()
        pool.run { [self] worker in
            let nets = networksFor(worker)
            while true {
                claim.lock()
                let i = next
                next += 1
                claim.unlock()
                guard i < inputs.count else { return }
                let r =
                    options.rule == .released
                    ? released(inputs[i], seed: seeds[i], network: nets[0])
                    : gradientAscent(inputs[i], seed: seeds[i], networks: nets)
                claim.lock(); results[i] = r; claim.unlock()
            }
        }
        return results.map { $0! }
    }

    private func networksFor(_ worker: Int) -> [TrainableNetwork] {
        lock.lock()
        defer { lock.unlock() }
        if let nets = networks[worker] { return nets }
        let count = options.rule == .released ? 1 : max(1, min(options.models, weights.count))
        let nets = weights.prefix(count).map { TrainableNetwork(architecture, weights: $0) }
        networks[worker] = nets
        return nets
    }
}
