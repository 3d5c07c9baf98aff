import CertCore
import CertMath
import CertTraining
import Foundation

/// The two rules with a fixed number of steps: the authors' released rule (compat) and the
/// gradient ascent that was the default before the grid search. Both move sigma from sigma0
/// with the search models only; neither constrains its path by the label (the certificate
/// still certifies the label fixed at sigma0, and abstains where its models disagree).
extension SigmaSearch {
    /// The released rule's draws, addressed as they always were (Philox key word "cert"),
    /// so its arithmetic is unchanged: draw k of step t.
    static func releasedDraw(_ seed: UInt64, step: Int, k: Int, count: Int) -> [Float] {
        GaussianNoise(seed: UInt32(truncatingIfNeeded: seed ^ (seed >> 32)), stream: (UInt64(step) << 16) | UInt64(k)).draws(count: count)
    }

    /// The released rule: s += 1e-4·|Φ⁻¹(clamp(p, 0.02, 0.98))| with p from one draw through
    /// the first search model, detached (no gradient), for a fixed number of steps.
    func released(_ x: [Float], seed: UInt64, network: TrainableNetwork) -> SigmaResult {
        var s = sigma0
        let shape = [1] + architecture.inputShape.dimensions
        for t in 0..<options.steps {
            let e = Self.releasedDraw(seed, step: t, k: 0, count: x.count)
            let noisy = zip(x, e).map { $0 + Float(s) * $1 }
            let z = Double(network.forward(Tensor(shape: shape, data: noisy), training: false).data[0])
            let p = Elementwise.sigmoid(z)
            s += 1e-4 * abs(Normal.quantile(min(max(p, 0.02), 0.98)))
        }
        return SigmaResult(
            sigma: s, sigma0: sigma0, rule: .released, steps: options.steps, draws: 1, models: 1, seed: seed,
            radiusEstimate: .nan, stop: .steps, modelRuns: options.steps)
    }

    /// Draw k of gradient step t (the search's own key word).
    func draw(_ seed: UInt64, step: Int, k: Int, count: Int) -> [Float] {
        Self.draw(seed, point: 1 + step, k: k, count: count)
    }

    /// Gradient ascent on the expected radius R̂(s) = ½·s·(Φ⁻¹(p̄_A) − Φ⁻¹(p̄_B)), p̄ the class
    /// scores averaged over the step's draws (each through one of the search models, in
    /// turn), with bounded steps and s kept in [sigma0, sigmaMax].
    func gradientAscent(_ x: [Float], seed: UInt64, networks: [TrainableNetwork]) -> SigmaResult {
        var s = sigma0
        var radius = 0.0
        let upper = options.upperSigma(sigma0: sigma0)
        for t in 0..<options.steps {
            let (value, slope) = radiusAndSlope(x, s: s, seed: seed, step: t, networks: networks)
            radius = value
            let step = min(max(options.learningRate * slope, -options.maxStep), options.maxStep)
            s = min(max(s + step, sigma0), upper)
        }
        return SigmaResult(
            sigma: s, sigma0: sigma0, rule: .gradient, steps: options.steps, draws: options.draws,
            models: networks.count, seed: seed, radiusEstimate: radius, stop: .steps,
            modelRuns: 3 * options.steps * options.draws)
    }

    /// R̂(s) and dR̂/ds from one step's draws; binary (one logit) tasks.
    func radiusAndSlope(_ x: [Float], s: Double, seed: UInt64, step t: Int, networks: [TrainableNetwork]) -> (Double, Double) {
        let (p1, dp1) = meanScore(x, s: s, seed: seed, step: t, networks: networks)
        // Top class A and its score; for binary, pB = 1 − pA.
        let (pA, dpA) = p1 >= 0.5 ? (p1, dp1) : (1 - p1, -dp1)
        let clamped = min(max(pA, 1e-3), 1 - 1e-3)
        let q = Normal.quantile(clamped)
        let density = exp(-0.5 * q * q) / (2 * Double.pi).squareRoot()
        // R̂ = s·Φ⁻¹(pA) for two classes; dR̂/ds = Φ⁻¹(pA) + s·pA'/φ(Φ⁻¹(pA)) (pA' = 0 where clamped).
        let inside = pA > 1e-3 && pA < 1 - 1e-3
        return (s * q, q + (inside ? s * dpA / density : 0))
    }

    /// The smoothed score of label 1 over step t's draws, p̄₁(s) = mean_k σ(f_{m_k}(x + s·ε_k)),
    /// and its derivative in s through the network (reparameterisation: d/ds = ∇ₓp · ε).
    func meanScore(_ x: [Float], s: Double, seed: UInt64, step t: Int, networks: [TrainableNetwork]) -> (Double, Double) {
        let d = x.count, n = options.draws
        var pSum = 0.0, dpSum = 0.0
        // Draws grouped by model: one batched forward and backward per model used.
        var byModel: [Int: [Int]] = [:]
        for k in 0..<n { byModel[(t * n + k) % networks.count, default: []].append(k) }
        for (m, ks) in byModel.sorted(by: { $0.key < $1.key }) {
            let eps = ks.map { draw(seed, step: t, k: $0, count: d) }
            var batch = [Float](repeating: 0, count: ks.count * d)
            for (slot, e) in eps.enumerated() { for j in 0..<d { batch[slot * d + j] = x[j] + Float(s) * e[j] } }
            let net = networks[m]
            let logits = net.forward(Tensor(shape: [ks.count] + architecture.inputShape.dimensions, data: batch), training: false)
            let p = logits.data.map { Elementwise.sigmoid(Double($0)) }
            // d p1/d z = p1(1 − p1); the input gradient times ε is d p1/d s.
            let grad = Tensor(shape: logits.shape, data: p.map { Float($0 * (1 - $0)) })
            net.zeroGrad()
            let dx = net.backward(grad)
            for (slot, e) in eps.enumerated() {
                pSum += p[slot]
                var dot = 0.0
                for j in 0..<d { dot += Double(dx.data[slot * d + j]) * Double(e[j]) }
                dpSum += dot
            }
        }
        return (pSum / Double(n), dpSum / Double(n))
    }
}
