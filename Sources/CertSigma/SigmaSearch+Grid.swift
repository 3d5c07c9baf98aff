import CertCore
import CertMath
import Foundation

/// The grid rule (`grid`, the default before the budgeted search `search`): a one-dimensional
/// search on s with forward passes only, through every search model. Its cost is fixed:
/// search models × draws × (gridPoints + refinePoints) — 8 × 2 × 14 = 224 model runs per input
/// on the shipped 72-model set, about 3.1 full ensemble passes.
///
/// 1. Label. Each search model m runs on x + sigma0·ε_d for `draws` draws ε_d; the class
///    with the largest mean score is the label c. It is fixed here, before any certifying
///    model runs, and the certificate bounds the probability of c alone.
/// 2. Coarse grid. The same draws at `gridPoints` sigmas spaced geometrically from sigma0 to
///    sigmaMax (common random numbers: one ε_d for every s, so the objective is a smooth
///    function of s rather than a new sample at each point). At each s the objective is the
///    radius the certificate would report, R̂(s) = s·Φ⁻¹(L̂(s)), where L̂ is the certificate's
///    own lower bound (its kind, its alpha, its N certifying models) applied to scores like
///    the search models' soft scores of c at s (`Certificate.predictedLowerBound`). Soft
///    scores even for Clopper–Pearson, which counts votes: a few search models that all still
///    vote c at a high sigma overstate how many certifying models will (measured on the
///    authors' checkpoints: with their votes the search ran to sigmaMax and most inputs fell
///    back to sigma0; with soft scores it stops where the scores start to fall).
/// 3. Label-keeping. Only sigmas up to the first one where c is no longer the search models'
///    top class count: a larger sigma that makes the models constant can never turn the
///    label into another class.
/// 4. Refinement. `refinePoints` more sigmas between the best grid point's neighbours.
///
/// The result names why it stopped (`SigmaStop`) and its cost in model runs:
/// search models × draws × sigmas tried. Randomness: the ε_d, keyed by the sample's seed.
/// The search's estimate is not a bound: the certificate bounds c afresh with the
/// certifying models at the chosen sigma, and abstains when they do not support it.
extension SigmaSearch {
    struct Point {
        var sigma: Double
        /// Mean class scores over the search samples (draws × models).
        var mean: [Double]
        /// Every sample's class scores, draw-major then model: `[(d * models + m) * classes + c]`.
        var samples: [Double]
        /// Models that gave the samples.
        var models: Int
    }

    func grid(_ inputs: [[Float]], seeds: [UInt64], points: Int, refine: Int) -> [SigmaResult] {
        let upper = options.upperSigma(sigma0: sigma0)
        let coarse =
            points <= 1
            ? [sigma0]
            : (0..<points).map { k in sigma0 * pow(upper / sigma0, Double(k) / Double(points - 1)) }
        var results: [SigmaResult] = []
        results.reserveCapacity(inputs.count)
        for start in stride(from: 0, to: inputs.count, by: 16) {
            let part = Array(start..<min(start + 16, inputs.count))
            let noise = part.map { i in (0..<max(1, options.draws)).map { Self.draw(seeds[i], point: 0, k: $0, count: inputs[i].count) } }
            let first = evaluate(part.enumerated().map { (inputs[$0.element], noise[$0.offset], coarse) })
            var plans: [(label: Int, valid: Int, best: Int)] = []
            var second: [[Double]] = []
            for evaluated in first {
                let label = ClassScores.top(evaluated[0].mean)
                let valid = evaluated.firstIndex { !keeps(label, $0) } ?? evaluated.count
                let best = bestIndex(evaluated, label: label, upTo: max(valid, 1))
                plans.append((label, valid, best))
                second.append(refine > 0 && coarse.count > 1 ? refinement(coarse, around: best, count: refine) : [])
            }
            let refined =
                second.allSatisfy(\.isEmpty)
                ? part.map { _ in [Point]() }
                : evaluate(part.enumerated().map { (inputs[$0.element], noise[$0.offset], second[$0.offset]) })
            for (j, i) in part.enumerated() {
                let plan = plans[j]
                var tried = Array(first[j].prefix(max(plan.valid, 1)))
                tried += refined[j].filter { keeps(plan.label, $0) }
                let winner = tried.enumerated().max { a, b in
                    let ra = objective(a.element, plan.label), rb = objective(b.element, plan.label)
                    return ra < rb || (ra == rb && a.element.sigma > b.element.sigma)  // ties to the smaller sigma
                }!.element
                let stop: SigmaStop
                if winner.sigma == sigma0 || coarse.count == 1 {
                    stop = .sigma0
                } else if plan.valid < coarse.count && plan.best + 1 == plan.valid {
                    stop = .label
                } else if winner.sigma == coarse.last! {
                    stop = .sigmaMax
                } else {
                    stop = .optimum
                }
                let sigmasTried = coarse.count + second[j].count
                results.append(
                    SigmaResult(
                        sigma: winner.sigma, sigma0: sigma0, rule: .grid, steps: sigmasTried, draws: max(1, options.draws),
                        models: modelCount, seed: seeds[i], radiusEstimate: objective(winner, plan.label), label: plan.label,
                        stop: stop, modelRuns: sigmasTried * max(1, options.draws) * modelCount))
            }
        }
        return results
    }

    /// The label is still the search models' top class at this sigma (strictly).
    func keeps(_ label: Int, _ p: Point) -> Bool {
        p.mean.indices.allSatisfy { $0 == label || p.mean[$0] < p.mean[label] }
    }

    /// R̂(s) = s·Φ⁻¹(L̂): the radius the certificate would report (pB_up = 1 − L̂).
    func objective(_ p: Point, _ label: Int) -> Double {
        let classes = p.mean.count
        var sample = stride(from: label, to: p.samples.count, by: classes).map { p.samples[$0] }
        // Caution: the certifying models are other models than the search models, so the
        // prediction is shifted down by `caution` standard errors of the search models' mean
        // (model-to-model spread of their per-model means over the draws).
        let models = p.models, draws = sample.count / max(models, 1)
        if options.caution > 0, models > 1, draws > 0 {
            let perModel = (0..<models).map { m in (0..<draws).map { sample[$0 * models + m] }.reduce(0, +) / Double(draws) }
            let mean = perModel.reduce(0, +) / Double(models)
            let variance = perModel.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(models - 1)
            let shift = options.caution * (variance / Double(models)).squareRoot()
            sample = sample.map { min(max($0 - shift, 0), 1) }
        }
        let low = Certificate.predictedLowerBound(target.bound, sample: sample, n: target.certifyingModels, alpha: target.alpha)
        let clamped = min(max(low, 1e-8), 1 - 1e-8)
        return p.sigma * Normal.quantile(clamped)
    }

    /// The best of the first `n` points, ties to the smaller sigma.
    func bestIndex(_ points: [Point], label: Int, upTo n: Int) -> Int {
        var best = 0
        for k in 1..<max(n, 1) where objective(points[k], label) > objective(points[best], label) { best = k }
        return best
    }

    /// `count` sigmas spaced geometrically strictly between the neighbours of grid point `k`.
    func refinement(_ coarse: [Double], around k: Int, count: Int) -> [Double] {
        let a = coarse[max(k - 1, 0)], b = coarse[min(k + 1, coarse.count - 1)]
        return (1...count).map { j in a * pow(b / a, Double(j) / Double(count + 1)) }.filter { $0 != coarse[k] }
    }

    /// Scores of the search models on x + s·ε_d for every input, sigma and draw, in one pass
    /// of the search ensemble over all the noisy images.
    func evaluate(_ jobs: [(pixels: [Float], noise: [[Float]], sigmas: [Double])]) -> [[Point]] {
        var images: [PreparedImage] = []
        for job in jobs {
            for s in job.sigmas {
                for e in job.noise {
                    let noisy = zip(job.pixels, e).map { $0 + Float(s) * $1 }
                    images.append(ensemble.prepare(noisy))
                }
            }
        }
        let logits = scheduler.logits(images: images, scales: [Float](repeating: 0, count: images.count))
        let outputs = ensemble.outputs, classes = outputs == 1 ? 2 : outputs, models = ensemble.count
        var row = 0
        var scores = [Double](repeating: 0, count: classes)
        return jobs.map { job in
            job.sigmas.map { s in
                var samples: [Double] = []
                samples.reserveCapacity(job.noise.count * models * classes)
                var sums = [Double](repeating: 0, count: classes)
                for _ in job.noise {
                    let cells = logits[row]
                    row += 1
                    for m in 0..<models {
                        ClassScores.of(cells[(m * outputs)..<((m + 1) * outputs)], classes: classes, into: &scores)
                        // A non-finite output counts as no support for any class.
                        if !scores.allSatisfy(\.isFinite) { for c in 0..<classes { scores[c] = 0 } }
                        samples += scores
                        for c in 0..<classes { sums[c] += scores[c] }
                    }
                }
                let n = Double(max(1, job.noise.count * models))
                return Point(sigma: s, mean: sums.map { $0 / n }, samples: samples, models: models)
            }
        }
    }
}
