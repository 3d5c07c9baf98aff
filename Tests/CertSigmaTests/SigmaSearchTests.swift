import CertCore
@testable import CertSigma
import CertTestSupport
import CertTraining
import Foundation
import Testing

@Suite(.blockingWork) struct SigmaSearchTests {
    static func modelSet(count: Int = 2) throws -> ModelSet {
        let directory = try TemporaryDirectory("sigma")
        defer { directory.remove() }
        let dir = directory.path
        try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: count, seed: 21, sigma0: 0.12)
        return try ModelSet.load(directory: dir)
    }

    static let target = SearchTarget(bound: .clopperPearson, alpha: 0.001, certifyingModels: 64)

    static let image: [Float] = GaussianNoise(seed: 5).draws(count: 784).map { min(max(0.4 + 0.3 * $0, 0), 1) }

    /// d p̄/ds through the network (float32 backward) against a central difference of the
    /// same smoothed score on the same draws, evaluated in float64 by an independent forward
    /// pass (`DoubleMNIST`), so neither float32 noise nor ReLU kinks blur the difference.
    @Test(arguments: [0.12, 0.3, 0.6])
    func scoreGradientMatchesCentralDifference(_ s: Double) throws {
        var options = SigmaOptions.gradient
        options.draws = 4
        let set = try Self.modelSet()
        let search = SigmaSearch(modelSet: set, options: options, workers: 1, target: Self.target, models: [0, 1])
        let nets = search.weights.map { TrainableNetwork(Architecture.mnistCNN, weights: $0) }
        let (p, analytic) = search.meanScore(Self.image, s: s, seed: 9, step: 3, networks: nets)
        let reference = (0..<2).map { DoubleMNIST(weights: set.weights[$0]) }
        func smoothed(_ s: Double) -> Double {
            (0..<4).map { k -> Double in
                let e = search.draw(9, step: 3, k: k, count: 784)
                let logit = reference[(3 * 4 + k) % 2].logit(zip(Self.image, e).map { Double($0) + s * Double($1) })
                return 1 / (1 + exp(-logit))
            }.reduce(0, +) / 4
        }
        let h = 1e-6
        let numeric = (smoothed(s + h) - smoothed(s - h)) / (2 * h)
        #expect(abs(p - smoothed(s)) < 1e-5)
        #expect(abs(analytic - numeric) / max(abs(numeric), 1e-6) < 1e-3, "analytic \(analytic) vs numeric \(numeric)")
    }

    @Test(arguments: [SigmaRule.search, .gradient])
    func sigmaStaysInBoundsAndIsReproducible(_ rule: SigmaRule) throws {
        var options = rule == .gradient ? SigmaOptions.gradient : SigmaOptions()
        options.steps = 10
        options.sigmaMax = 0.3
        let set = try Self.modelSet(count: 4)
        let inputs = [Self.image, Self.image.map { 1 - $0 }]
        let one = SigmaSearch(modelSet: set, options: options, workers: 1, target: Self.target).sigmas(for: inputs)
        let two = SigmaSearch(modelSet: set, options: options, workers: 2, target: Self.target).sigmas(for: inputs.reversed()).reversed()
        #expect(one == Array(two))
        for r in one {
            #expect(r.sigma >= 0.12 && r.sigma <= 0.3 && r.rule == rule && r.label != nil && r.modelRuns > 0)
        }
    }

    /// The search's draws are keyed by a hash of the pixels: the same pixels give the same
    /// result whatever else was searched with them; other pixels, other draws.
    @Test func searchSeedIsAFunctionOfThePixels() throws {
        let set = try Self.modelSet(count: 4)
        let search = SigmaSearch(modelSet: set, options: SigmaOptions(), workers: 1, target: Self.target)
        let other = Self.image.map { min($0 + 0.01, 1) }
        let alone = search.sigmas(for: [Self.image])[0]
        let crowded = search.sigmas(for: [other, Self.image, other])
        #expect(crowded[1] == alone)
        #expect(crowded[0].seed != alone.seed && crowded[0] == crowded[2])
        #expect(alone.seed == SigmaSearch.sampleSeed(0, pixels: Self.image))
        #expect(SigmaSearch.sampleSeed(1, pixels: Self.image) != alone.seed)
    }

    /// Cost accounting and the record of why the search stopped: search models × draws ×
    /// sigmas tried, the grid then the refinement.
    @Test func searchRecordsItsCostAndWhyItStopped() throws {
        let set = try Self.modelSet(count: 8)  // 4 search models (defaultSearchCount(8))
        var options = SigmaOptions()
        options.draws = 3; options.gridPoints = 6; options.refinePoints = 2
        let r = SigmaSearch(modelSet: set, options: options, workers: 1, target: Self.target).sigmas(for: [Self.image])[0]
        #expect(r.models == 4 && r.draws == 3)
        #expect(r.steps == 6 + 2 && r.modelRuns == 4 * 3 * 8)
        #expect(r.stop != nil && r.stop != .steps)
        #expect(r.sigma >= 0.12 && r.sigma <= 8 * 0.12 + 1e-12)
    }

    /// The released rule adds 1e-4·|Φ⁻¹(clamp(p))| per step: at most 1e-4·Φ⁻¹(0.98) each, and
    /// exactly that when the model is saturated; 850 saturated steps give the released files.
    @Test func releasedRuleIsBoundedByItsSaturatedValue() throws {
        var options = SigmaOptions.released(trigger: "onepixel")
        #expect(options.steps == 850 && SigmaOptions.released(trigger: "blending").steps == 1100)
        options.steps = 50
        let r = SigmaSearch(modelSet: try Self.modelSet(count: 2), options: options, workers: 1, target: Self.target).sigmas(for: [Self.image])[0]
        let ceiling = 0.12 + 50 * 1e-4 * 2.053748910631823
        #expect(r.sigma > 0.12 && r.sigma <= ceiling + 1e-12)
    }

    @Test func fixedRuleKeepsSigma0AndStillFixesTheLabel() throws {
        var options = SigmaOptions()
        options.rule = .fixed
        let r = SigmaSearch(modelSet: try Self.modelSet(count: 2), options: options, workers: 1, target: Self.target).sigmas(for: [Self.image])
        #expect(r.map(\.sigma) == [0.12])
        #expect(r[0].label != nil && r[0].modelRuns == 1 * options.draws)
    }
}
