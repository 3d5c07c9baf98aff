import CertCore
@testable import CertSigma
import CertTraining
import Foundation
import Testing

@Suite struct SigmaSearchTests {
    static func modelSet(count: Int = 2) throws -> ModelSet {
        let dir = NSTemporaryDirectory() + "sigma-\(UUID().uuidString)"
        try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: count, seed: 21, sigma0: 0.12)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try ModelSet.load(directory: dir)
    }

    static let image: [Float] = GaussianNoise(seed: 5).draws(count: 784).map { min(max(0.4 + 0.3 * $0, 0), 1) }

    /// d p̄/ds through the network (float32 backward) against a central difference of the
    /// same smoothed score on the same draws, evaluated in float64 by an independent forward
    /// pass (`DoubleMNIST`), so neither float32 noise nor ReLU kinks blur the difference.
    @Test(arguments: [0.12, 0.3, 0.6])
    func scoreGradientMatchesCentralDifference(_ s: Double) throws {
        var options = SigmaOptions()
        options.draws = 4
        let set = try Self.modelSet()
        let search = SigmaSearch(modelSet: set, options: options, workers: 1)
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

    @Test func sigmaStaysInBoundsAndIsReproducible() throws {
        var options = SigmaOptions()
        options.steps = 10
        options.sigmaMax = 0.3
        let set = try Self.modelSet()
        let inputs = [(pixels: Self.image, sha256: "a"), (pixels: Self.image.map { 1 - $0 }, sha256: "b")]
        let one = SigmaSearch(modelSet: set, options: options, workers: 1).sigmas(for: inputs)
        let two = SigmaSearch(modelSet: set, options: options, workers: 2).sigmas(for: inputs.reversed()).reversed()
        #expect(one == Array(two))
        for r in one { #expect(r.sigma >= 0.12 && r.sigma <= 0.3 && r.rule == .gradient && r.steps == 10) }
    }

    /// The released rule adds 1e-4·|Φ⁻¹(clamp(p))| per step: at most 1e-4·Φ⁻¹(0.98) each, and
    /// exactly that when the model is saturated; 850 saturated steps give the released files.
    @Test func releasedRuleIsBoundedByItsSaturatedValue() throws {
        var options = SigmaOptions.released(trigger: "onepixel")
        #expect(options.steps == 850 && SigmaOptions.released(trigger: "blending").steps == 1100)
        options.steps = 50
        let r = SigmaSearch(modelSet: try Self.modelSet(count: 1), options: options, workers: 1).sigmas(for: [(Self.image, "x")])[0]
        let ceiling = 0.12 + 50 * 1e-4 * 2.053748910631823
        #expect(r.sigma > 0.12 && r.sigma <= ceiling + 1e-12)
    }

    @Test func fixedRuleKeepsSigma0() throws {
        var options = SigmaOptions()
        options.rule = .fixed
        let r = SigmaSearch(modelSet: try Self.modelSet(count: 1), options: options, workers: 1).sigmas(for: [(Self.image, "x")])
        #expect(r.map(\.sigma) == [0.12])
    }
}
