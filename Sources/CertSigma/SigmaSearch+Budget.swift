import CertCore
import CertMath
import Foundation

/// The default rule (`search`): the grid rule's objective, searched within a budget of model
/// runs per input.
///
/// Cost. At most max(`budget` × N, `minimumRuns` = 48) model runs per input (N = the set's
/// model count, so 0.1 is a tenth of one full ensemble pass from 480 models on; smaller sets
/// need the 48 to keep their radii, measured in README), spent as K sigmas × M' search models
/// × D draws (`plan`). Where even that is smaller than the smallest useful search
/// (`minimumPlan`: 3 sigmas × 2 models × 1 draw = 6 runs) that search runs anyway; every
/// verdict records what it spent (`model_runs`).
///
/// 1. Label. The M' models (evenly spaced in the set's search list) run on x + sigma0·ε_{j,d}:
///    model j sees its own draws, so the M'·D scores are independent samples of (model,
///    noise), like the certifying models' votes. The top mean class is the label c, fixed
///    here before any certifying model runs. This pass is also the search's first point.
/// 2. Search in u = ln(s/sigma0) on [0, L], L = ln(sigmaMax/sigma0), on common random numbers
///    (the same ε_{j,d} at every s, so R̂ is a smooth function of s): R̂ at L (sigmaMax) and,
///    for K ≥ 4, at L/2 next; then each further point is the vertex of the parabola through
///    the best point and its two neighbours (where it is concave and the vertex falls
///    strictly between them, at least `tolerance`·L from every point tried), else the
///    golden-section point of the wider interval beside the best point. It stops after K
///    points, or earlier when the intervals beside the best point are narrower than twice
///    the tolerance. (R̂ is flat near its optimum and the criterion is the median radius over
///    many inputs, so a few well-placed points do as well as the grid's 14: README, "The
///    sigma", has the measurements.)
/// 3. The objective and the label-keeping are the grid rule's: R̂(s) = s·Φ⁻¹(L̂(s)) with the
///    certificate's own bound on the search scores lowered by `caution` standard errors, and
///    a point counts only if c stays the strict top class there and at every smaller sigma
///    tried. The winner is the best point tried (ties to the smaller sigma).
///
/// Randomness: only the ε_{j,d} (search key `GaussianNoise.searchDomain`, draw index
/// j·D + d at sigma index 0), keyed by the sample's seed (`sampleSeed`: the options' seed and
/// the pixels), which the result records with M', D, the sigmas tried and the cost. Each
/// input's path depends only on its own scores, so a result does not depend on the batch or
/// the worker count. The search's estimate is not a bound: the certificate bounds c afresh
/// with the certifying models at the chosen sigma (and sigma0 as the fallback).
extension SigmaSearch {
    /// How a budgeted search spends its runs: `points` sigmas × `models` × `draws`.
    public struct Plan: Sendable, Equatable {
        /// Indices into the search models.
        public var models: [Int]
        /// Noise draws per search model at each sigma (`SigmaOptions.draws`, at least 1).
        public var draws: Int
        /// The most sigmas tried (K), sigma0 and sigmaMax included; the search may stop earlier.
        public var points: Int
        /// The budget it was planned for: floor(budget × set size).
        public var budget: Int
        /// Model runs per input when all `points` are tried: an upper bound on what it spends.
        public var runs: Int { models.count * draws * points }
    }

    /// The smallest search the rule runs: sigma0, sigmaMax and one point between, through 2
    /// search models (the caution shift needs a spread), one draw each.
    public static let minimumPlan = (points: 3, models: 2, draws: 1)
    /// The default number of sigmas when the budget leaves the choice (`points` = 0).
    public static let defaultPoints = 6
    /// The most sigmas a budget buys when every search model already runs (the grid's 14).
    public static let maximumPoints = 14
    /// The fewest model runs a budget allows, whatever the set's size: 10% of a pass is that
    /// many only from 480 models on.
    public static let minimumRuns = 48
    /// Closest spacing of two points tried, as a fraction of L.
    static let tolerance = 0.01

    /// The plan for this set (`plan(options:searchModels:setSize:)`).
    public var plan: Plan { Self.plan(options: options, searchModels: modelCount, setSize: setSize) }

    /// How `options` spend the budget on a set of `setSize` models with `searchModels` search
    /// models: explicit `points`/`searchModels` are kept (clamped to the search models), the
    /// rest fills the budget floor(budget × setSize): as many models as it allows at
    /// `defaultPoints` sigmas (at least 2), and where that is still too many runs, fewer sigmas
    /// (at least 3). So with the default one draw the runs stay within the budget whenever it
    /// is at least 6 (`minimumPlan`), and are 6 below that (`searchPlanStaysWithinTheBudget`).
    public static func plan(options: SigmaOptions, searchModels m: Int, setSize: Int) -> Plan {
        let d = max(1, options.draws)
        // Never fewer than `minimumRuns`: on small sets 10% of a pass is too few runs to keep the
        // radii (measured on the shipped 72-model set and the authors' 16: README, "The sigma").
        let budget = max(Int((options.budget * Double(setSize) + 1e-9).rounded(.down)), minimumRuns)
        var points = options.points > 0 ? options.points : defaultPoints
        var count: Int
        if options.searchModels > 0 {
            count = min(options.searchModels, m)
            if options.points == 0 { points = max(minimumPlan.points, min(points, budget / max(1, count * d))) }
        } else {
            count = min(m, max(minimumPlan.models, budget / (d * points)))
            if options.points == 0 && count * d * points > budget {
                points = max(minimumPlan.points, budget / max(1, count * d))
            }
        }
        count = max(1, count)
        // Every search model already runs and runs are left: spend them on more sigmas.
        if options.points == 0 && count == m && count * d * points < budget {
            points = min(maximumPoints, budget / max(1, count * d))
        }
        return Plan(models: (0..<count).map { $0 * m / count }, draws: d, points: max(1, points), budget: budget)
    }

    func budgeted(_ inputs: [[Float]], seeds: [UInt64]) -> [SigmaResult] {
        let plan = self.plan
        let upper = options.upperSigma(sigma0: sigma0)
        let span = log(upper / sigma0)
        var results: [SigmaResult] = []
        results.reserveCapacity(inputs.count)
        // Inputs in parts of a tile: each round streams the search models' weights once for the
        // whole part (parts of 16 read them four times per micro-batch of 64). An input's path
        // depends only on its own scores, so the parts change no result.
        let partSize = Linear.tileWidth
        for start in stride(from: 0, to: inputs.count, by: partSize) {
            let part = Array(start..<min(start + partSize, inputs.count))
            let noise = part.map { i in
                (0..<(plan.models.count * plan.draws)).map { Self.draw(seeds[i], point: 0, k: $0, count: inputs[i].count) }
            }
            var probes = part.map { _ in Probe(span: span) }
            var next: [[Double]] = part.map { _ in [0] }
            while next.contains(where: { !$0.isEmpty }) {
                let points = evaluate(
                    plan,
                    part.indices.map { j in
                        (inputs[part[j]], noise[j], next[j].map { sigma(at: $0, span: span, upper: upper) })
                    })
                // The first point is sigma0: its top class is the label.
                for j in part.indices where probes[j].label == nil {
                    if let first = points[j].first { probes[j].label = ClassScores.top(first.mean) }
                }
                let values = objectives(part.indices.map { j in points[j].map { (point: $0, label: probes[j].label!) } })
                for j in part.indices {
                    for ((u, p), value) in zip(zip(next[j], points[j]), values[j]) {
                        probes[j].add(u, value: value, keeps: keeps(probes[j].label!, p), point: p)
                    }
                    next[j] = probes[j].tried.count >= plan.points ? [] : probes[j].next(points: plan.points)
                }
            }
            for (j, i) in part.enumerated() {
                let probe = probes[j]
                let winner = probe.best
                let stop: SigmaStop
                if winner.u == 0 {
                    stop = .sigma0
                } else if winner.u == span {
                    stop = .sigmaMax
                } else if let lost = probe.firstLost, probe.tried.last(where: { $0.u < lost })?.u == winner.u {
                    stop = .label
                } else {
                    stop = .optimum
                }
                let tried = probe.tried.count
                results.append(
                    SigmaResult(
                        sigma: winner.point!.sigma, sigma0: sigma0, rule: .search, steps: tried, draws: plan.draws,
                        models: plan.models.count, seed: seeds[i], radiusEstimate: winner.value, label: probe.label,
                        stop: stop, modelRuns: tried * plan.draws * plan.models.count))
            }
        }
        return results
    }

    /// `objective` of every (point, label), spread over the worker pool: with the betting
    /// bound each is a bound over N predicted scores (`Certificate.predictedLowerBound`), and
    /// on the calling thread they took half of a search while the workers waited. Pure
    /// functions of their inputs, so the values do not depend on the worker count.
    func objectives(_ items: [[(point: Point, label: Int)]]) -> [[Double]] {
        let flat = items.flatMap { $0 }
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: flat.count)
        defer { values.deallocate() }
        pool.run { [self] worker in
            for i in stride(from: worker, to: flat.count, by: workers) { values[i] = objective(flat[i].point, flat[i].label) }
        }
        var next = 0
        return items.map { row in
            defer { next += row.count }
            return Array(values[next..<(next + row.count)])
        }
    }

    /// The sigma at u = ln(s/sigma0); sigmaMax exactly at the top.
    func sigma(at u: Double, span: Double, upper: Double) -> Double {
        u == 0 ? sigma0 : u == span ? upper : sigma0 * exp(u)
    }

    /// Scores of the plan's models on x + s·ε_{j,d} (model j on its own draws only). The
    /// models are spread over the workers, each running its models on their own images in
    /// tiles of `Linear.tileWidth` (`Ensemble.forward`); a logit does not depend on the tile it
    /// ran in, so the scores do not depend on the worker count or on the other inputs.
    func evaluate(_ plan: Plan, _ jobs: [(pixels: [Float], noise: [[Float]], sigmas: [Double])]) -> [[Point]] {
        let outputs = ensemble.outputs, classes = outputs == 1 ? 2 : outputs, d = plan.draws, count = plan.models.count
        // Model j's inputs, as (job, sigma, draw): made by the worker that runs model j.
        let inputs = jobs.flatMap { job in job.sigmas.flatMap { s in (0..<d).map { k in (job: job, sigma: Float(s), draw: k) } } }
        let logits = modelLogits(plan.models, count: inputs.count) { j, i in
            let input = inputs[i]
            return zip(input.job.pixels, input.job.noise[j * d + input.draw]).map { $0 + input.sigma * $1 }
        }
        // samples[job][sigma][(draw * count + j) * classes + c]
        var samples = jobs.map { job in job.sigmas.map { _ in [Double](repeating: 0, count: d * count * classes) } }
        var scores = [Double](repeating: 0, count: classes)
        for j in 0..<count {
            var row = 0
            for (a, job) in jobs.enumerated() {
                for b in job.sigmas.indices {
                    for k in 0..<d {
                        ClassScores.of(logits[j][(row * outputs)..<((row + 1) * outputs)], classes: classes, into: &scores)
                        row += 1
                        // A non-finite output counts as no support for any class.
                        if !scores.allSatisfy(\.isFinite) { for c in 0..<classes { scores[c] = 0 } }
                        let base = (k * count + j) * classes
                        for c in 0..<classes { samples[a][b][base + c] = scores[c] }
                    }
                }
            }
        }
        return jobs.indices.map { a in
            jobs[a].sigmas.indices.map { b in
                var sums = [Double](repeating: 0, count: classes)
                for (n, v) in samples[a][b].enumerated() { sums[n % classes] += v }
                let n = Double(max(1, d * count))
                return Point(sigma: jobs[a].sigmas[b], mean: sums.map { $0 / n }, samples: samples[a][b], models: count)
            }
        }
    }

    /// Logits of search model `models[j]` on its `count` inputs `pixels(j, i)` (no added noise),
    /// `[j][i * outputs + o]`, the models spread over the worker pool. Each worker builds its
    /// models' inputs (noisy pixels, the stem's im2col) itself: made on the calling thread they
    /// left the workers idle for a tenth of a search.
    func modelLogits(_ models: [Int], count: Int, pixels: @escaping @Sendable (Int, Int) -> [Float]) -> [[Float]] {
        let outputs = ensemble.outputs, tile = Linear.tileWidth
        var result = [[Float]](repeating: [], count: models.count)
        let lock = NSLock()
        BLAS.useSingleThread()
        pool.run { [self] worker in
            let ws = workspaces[worker]
            for j in stride(from: worker, to: models.count, by: workers) {
                let list = (0..<count).map { ensemble.prepare(pixels(j, $0)) }
                var cells = [Float](repeating: 0, count: list.count * outputs)
                let zeros = [Float](repeating: 0, count: tile)
                var start = 0
                while start < list.count {
                    let last = min(start + tile, list.count)
                    ensemble.forward(model: models[j], images: list[start..<last], scales: zeros[0..<(last - start)], workspace: ws) {
                        t, logits in
                        for o in 0..<outputs { cells[(start + t) * outputs + o] = logits[o] }
                    }
                    start = last
                }
                lock.lock(); result[j] = cells; lock.unlock()
            }
        }
        return result
    }

    /// One input's search in u = ln(s/sigma0) on [0, span]: the points tried and where to look
    /// next. It sees values only, so it can be checked on curves known in closed form.
    struct Probe {
        let span: Double
        var label: Int?
        /// Sorted by u; `point` is the search scores there (nil in tests on closed-form curves).
        var tried: [(u: Double, value: Double, keeps: Bool, point: Point?)] = []

        init(span: Double) { self.span = span }

        mutating func add(_ u: Double, value: Double, keeps: Bool, point: Point? = nil) {
            let entry = (u: u, value: value, keeps: keeps, point: point)
            tried.insert(entry, at: tried.firstIndex { $0.u > u } ?? tried.count)
        }

        /// The smallest u tried where the label is not the strict top class.
        var firstLost: Double? { tried.first { !$0.keeps }?.u }

        /// The objective that counts: −∞ at and above the first point that loses the label
        /// (sigma0 always counts: the label is its top class).
        var values: [Double] {
            let lost = firstLost ?? .infinity
            return tried.map { $0.u < lost || $0.u == 0 ? $0.value : -.infinity }
        }

        /// The best point that counts, ties to the smaller sigma.
        var best: (u: Double, value: Double, point: Point?) {
            let v = values
            var k = 0
            for i in v.indices where v[i] > v[k] { k = i }
            return (tried[k].u, tried[k].value, tried[k].point)
        }

        /// The vertex of the parabola through (a, fa), (b, fb), (c, fc), a < b < c, where it is
        /// concave (b above the chord from a to c); nil otherwise.
        static func vertex(_ a: Double, _ b: Double, _ c: Double, _ fa: Double, _ fb: Double, _ fc: Double) -> Double? {
            guard fb > fa + (fc - fa) * (b - a) / (c - a) else { return nil }
            let num = (b - a) * (b - a) * (fb - fc) - (b - c) * (b - c) * (fb - fa)
            let den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
            guard den != 0 else { return nil }
            let x = b - 0.5 * num / den
            return x.isFinite ? x : nil
        }

        /// The next u to try, or none; `points` is the plan's number of sigmas.
        func next(points: Int) -> [Double] {
            // After sigma0: sigmaMax, and the middle of the range with it when at least four
            // points are allowed. With three, the third is placed from the first two (golden
            // section from the better end): on the shipped set that gave mean radius 0.944–0.963
            // of the grid rule's against 0.911–0.914 with the middle fixed in advance.
            guard tried.count > 1 else { return span > 0 ? (points >= 4 ? [span / 2, span] : [span]) : [] }
            let v = values
            var k = 0
            for i in v.indices where v[i] > v[k] { k = i }
            let tol = SigmaSearch.tolerance * span
            let u = tried.map(\.u)
            func fresh(_ x: Double) -> Bool { u.allSatisfy { abs($0 - x) >= tol } }
            // The parabola through the best point and its neighbours, where it is concave.
            if k > 0 && k + 1 < u.count, v[k - 1].isFinite, v[k + 1].isFinite {
                if let x = Self.vertex(u[k - 1], u[k], u[k + 1], v[k - 1], v[k], v[k + 1]), x > u[k - 1], x < u[k + 1], fresh(x) {
                    return [x]
                }
            }
            if k + 1 == u.count, k >= 2, v[k - 2].isFinite, v[k - 1].isFinite,
                let x = Self.vertex(u[k - 2], u[k - 1], u[k], v[k - 2], v[k - 1], v[k]), x > u[k - 1], x < u[k], fresh(x)
            {
                // sigmaMax is best: the parabola through the last three points, if it peaks below it.
                return [x]
            }
            // Golden section of the wider interval beside the best point (sigmaMax being best
            // does not end the search: R̂ need not be monotone between sigma0 and sigmaMax).
            let left = k > 0 ? u[k] - u[k - 1] : 0, right = k + 1 < u.count ? u[k + 1] - u[k] : 0
            let x = right >= left ? u[k] + 0.381966 * right : u[k] - 0.381966 * left
            return max(left, right) >= 2 * tol && fresh(x) ? [x] : []
        }
    }
}
