import CertMath
import CertTestSupport
import Foundation
import Testing

/// Seeded draws (SplitMix64), so every sequence in these tests is reproducible.
struct BettingTestRNG {
    private var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform on (0, 1] (never 0, so -log is finite).
    mutating func uniform() -> Double { Double((next() >> 11) + 1) * 0x1p-53 }

    mutating func bernoulli(_ p: Double) -> Double { uniform() <= p ? 1 : 0 }

    /// Gamma(k, 1) for integer k: a sum of k standard exponentials.
    mutating func gamma(_ k: Int) -> Double { (0..<k).reduce(0.0) { acc, _ in acc - log(uniform()) } }

    /// Beta(a, b) = G_a / (G_a + G_b), mean a / (a + b).
    mutating func beta(_ a: Int, _ b: Int) -> Double {
        let x = gamma(a), y = gamma(b)
        return x / (x + y)
    }
}

/// The betting bound written out the slow, obvious way, sharing nothing with the library:
/// bets recomputed from their definition for every i, ln K_s(m) as a sum of log1p from
/// scratch for every s, and the boundary of {m : K_s(m) >= 1/alpha} found by bisection on
/// the continuum (no grid, no threshold margin). L_t = max_{s <= t} of those boundaries.
enum NaiveBetting {
    /// lambda~_i for i = 1...n: sqrt(2 ln(1/alpha) / (sigma2_{i-1} i ln(1 + i))), with
    /// mu_k = (1/2 + x_1 + ... + x_k) / (k + 1), sigma2_k = (1/4 + sum_{j<=k} (x_j - mu_j)^2) / (k + 1).
    static func bets(_ xs: [Double], alpha: Double) -> [Double] {
        func mu(_ k: Int) -> Double { (0.5 + xs[0..<k].reduce(0, +)) / Double(k + 1) }
        func sigma2(_ k: Int) -> Double {
            var s = 0.25
            if k >= 1 { for j in 1...k { s += pow(xs[j - 1] - mu(j), 2) } }
            return s / Double(k + 1)
        }
        return xs.indices.map { index in
            let i = index + 1
            return (2 * log(1 / alpha) / (sigma2(i - 1) * Double(i) * log(1 + Double(i)))).squareRoot()
        }
    }

    /// ln K_s(m) = sum_{i <= s} ln(1 + min(lambda~_i, c/m) (x_i - m)).
    static func logCapital(_ xs: [Double], _ bets: [Double], upTo s: Int, m: Double, c: Double) -> Double {
        var total = 0.0
        for i in 0..<s { total += log1p(min(bets[i], c / m) * (xs[i] - m)) }
        return total
    }

    /// sup{m : K_s(m) >= 1/alpha} (0 if none), by bisection: K_s is nonincreasing in m.
    static func boundary(_ xs: [Double], _ bets: [Double], upTo s: Int, alpha: Double, c: Double) -> Double {
        let target = log(1 / alpha)
        var lo = 0.0, hi = 1.0
        for _ in 0..<60 {
            let mid = 0.5 * (lo + hi)
            if logCapital(xs, bets, upTo: s, m: mid, c: c) >= target { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// L_1 ... L_n.
    static func lowerPath(_ xs: [Double], alpha: Double, c: Double) -> [Double] {
        let b = bets(xs, alpha: alpha)
        var best = 0.0
        return xs.indices.map { index in
            best = max(best, boundary(xs, b, upTo: index + 1, alpha: alpha, c: c))
            return best
        }
    }
}

/// The library's grid point m_j = sin^2(j pi / (2G)) and the index of the cell holding v.
enum BettingGrid {
    static let cells = BettingBound.gridCells
    static func point(_ j: Int) -> Double {
        let s = sin(Double(j) * Double.pi / Double(2 * cells))
        return s * s
    }
    static func cell(of v: Double) -> Int {
        Int((asin(min(max(v, 0), 1).squareRoot()) * Double(2 * cells) / Double.pi).rounded(.down))
    }
    /// The width of the grid cell holding v.
    static func spacing(at v: Double) -> Double {
        let j = min(cell(of: v), cells - 1)
        return point(j + 1) - point(j)
    }
}

@Suite(.blockingWork) struct BettingBoundTests {
    /// Named sequences for the comparisons.
    static func sequences() -> [(name: String, xs: [Double])] {
        var rng = BettingTestRNG(seed: 20_240_101)
        return [
            ("bernoulli(0.3)", (0..<80).map { _ in rng.bernoulli(0.3) }),
            ("bernoulli(0.9)", (0..<80).map { _ in rng.bernoulli(0.9) }),
            ("beta(2,5)", (0..<80).map { _ in rng.beta(2, 5) }),
            ("beta(9,1)", (0..<100).map { _ in rng.beta(9, 1) }),
            ("beta(19,1)", (0..<60).map { _ in rng.beta(19, 1) }),
            ("all ones", Array(repeating: 1.0, count: 64)),
            ("all zeros", Array(repeating: 0.0, count: 64)),
            ("constant 0.5", Array(repeating: 0.5, count: 64)),
            ("all 0.999", Array(repeating: 0.999, count: 72)),
        ]
    }

    @Test func matchesNaiveImplementation() {
        for (name, xs) in Self.sequences() {
            for (alpha, c) in [(0.05, 0.75), (0.001, 0.75), (0.001, 0.5)] {
                let naive = NaiveBetting.lowerPath(xs, alpha: alpha, c: c)
                var bound = BettingLowerBound(alpha: alpha, truncation: c)
                for (t, x) in xs.enumerated() {
                    bound.observe(x)
                    let got = bound.lower, want = naive[t]
                    // Rounded down to the grid: never above the exact boundary, at most one
                    // cell (plus one for the 1e-9 margin right at a grid point) below it.
                    let floor = BettingGrid.point(max(BettingGrid.cell(of: want) - 1, 0))
                    #expect(
                        got <= want + 1e-12 && got >= floor - 1e-15,
                        "\(name) alpha=\(alpha) c=\(c) t=\(t + 1): library \(got), naive \(want)")
                }
                #expect(BettingBound.lower(xs, alpha: alpha, truncation: c) == bound.lower)
            }
        }
    }

    /// `BettingBound.lower` bisects the grid over the whole sequence; `BettingLowerBound`
    /// follows the frontier score by score. The same definition, the same arithmetic: the same
    /// bits, on random sequences of every length up to 600 (Bernoulli, Beta, uniform, and the
    /// sigma search's form, a few scores cycled), levels and bet caps.
    @Test func bisectionEqualsTheSequentialBound() {
        var rng = BettingTestRNG(seed: 2026_12_07)
        var compared = 0
        for trial in 0..<1500 {
            let n = 1 + Int(rng.next() % 600)
            let kind = trial % 4
            let p = rng.uniform(), a = 1 + Int(rng.next() % 20), b = 1 + Int(rng.next() % 4)
            let cycle = (0..<(1 + Int(rng.next() % 8))).map { _ in rng.beta(a, b) }
            let xs: [Double] = (0..<n).map { i in
                switch kind {
                case 0: return rng.bernoulli(p)
                case 1: return rng.beta(a, b)
                case 2: return rng.uniform()
                default: return cycle[i % cycle.count]
                }
            }
            let alpha = [0.05, 0.001, 1e-6][trial % 3], c = [0.5, 0.75, 0.99][(trial / 3) % 3]
            var bound = BettingLowerBound(alpha: alpha, truncation: c)
            for x in xs { bound.observe(x) }
            let bisected = BettingBound.lower(xs, alpha: alpha, truncation: c)
            #expect(bisected == bound.lower, "trial \(trial) n=\(n) alpha=\(alpha) c=\(c): \(bisected) vs \(bound.lower)")
            if bisected > 0 { compared += 1 }
        }
        #expect(compared > 1000, "most sequences must reject something for the comparison to mean anything")
    }

    @Test func agreementIsTight() {
        // Not only within a cell on average: the mean gap is about half a cell.
        var gaps: [Double] = []
        for (_, xs) in Self.sequences() {
            let naive = NaiveBetting.lowerPath(xs, alpha: 0.01, c: 0.75)
            let got = BettingBound.lower(xs, alpha: 0.01)
            if naive.last! > 0 { gaps.append((naive.last! - got) / BettingGrid.spacing(at: naive.last!)) }
        }
        #expect(!gaps.isEmpty)
        #expect(gaps.allSatisfy { $0 >= -1e-9 && $0 <= 2 }, "gaps in cells: \(gaps)")
    }

    @Test func capitalIsNonincreasingInM() {
        // The reason the confidence set is an interval (m*, 1] (see BettingBound.swift):
        // checked on a dense uniform grid, directly from the definition.
        for (name, xs) in Self.sequences() {
            let bets = NaiveBetting.bets(xs, alpha: 0.01)
            for s in Set([1, 2, 5, xs.count / 2, xs.count]) {
                var previous = Double.infinity
                for k in 1..<500 {
                    let value = NaiveBetting.logCapital(xs, bets, upTo: s, m: Double(k) / 500, c: 0.75)
                    #expect(value <= previous + 1e-12, "\(name) s=\(s) m=\(Double(k) / 500)")
                    previous = value
                }
            }
        }
    }

    /// Seeded coverage at alpha = 0.05: 10^4 Bernoulli and 10^4 Beta sequences of length 64,
    /// each stopped the first time its bound exceeds a threshold (or at t = 64). With the
    /// threshold at the true mean this is the strictest such rule: the bound misses at the
    /// stopping time iff it ever exceeds the mean. Negative controls on the same sequences:
    /// fixed-n bounds re-checked after every observation, stopped by the same rule.
    @Test func coverageUnderOptionalStopping() {
        let alpha = 0.05, length = 64, perGroup = 2_500
        // Exact one-sided Clopper–Pearson lower bounds for every (k, t) with t <= 64.
        let cp: [[Double]] = (0...length).map { t in
            (0...t).map { k in t == 0 ? 0 : ClopperPearson.lower(successes: k, trials: t, alpha: alpha) }
        }
        let hoeffding = (0...length).map { t in t == 0 ? Double.infinity : Hoeffding.margin(n: t, alpha: alpha) }

        struct Tally {
            var name: String, binary: Bool, mean: Double
            var betting = 0, stoppedEarly = 0
            var hoeffdingEver = 0, hoeffdingAt64 = 0  // re-checked / checked at t = 64 only
            var cpEver = 0, cpAt64 = 0
            var line: String {
                "\(name): betting \(betting), Hoeffding \(hoeffdingEver) (t=64 only \(hoeffdingAt64))"
                    + (binary ? ", Clopper–Pearson \(cpEver) (t=64 only \(cpAt64))" : "")
            }
        }
        let draws: [(tally: Tally, draw: (inout BettingTestRNG) -> Double)] =
            [0.5, 0.3, 0.9, 0.97].map { p in (Tally(name: "bernoulli(\(p))", binary: true, mean: p), { $0.bernoulli(p) }) }
            + [(2, 2), (1, 3), (9, 1), (19, 1)].map { (a: Int, b: Int) in
                (Tally(name: "beta(\(a),\(b))", binary: false, mean: Double(a) / Double(a + b)), { $0.beta(a, b) })
            }

        var rng = BettingTestRNG(seed: 0xC0FFEE)
        var tallies: [Tally] = []
        for (start, draw) in draws {
            var tally = start
            for _ in 0..<perGroup {
                let xs = (0..<length).map { _ in draw(&rng) }
                // The betting bound, stopped at the first t with lower > mean (or t = 64).
                var bound = BettingLowerBound(alpha: alpha)
                for x in xs {
                    bound.observe(x)
                    if bound.lower > tally.mean { break }
                }
                if bound.count < length { tally.stoppedEarly += 1 }
                if bound.lower > tally.mean { tally.betting += 1 }

                // Hoeffding's and Clopper–Pearson's fixed-n bounds after every observation.
                var sum = 0.0, hoeffdingMissed = false, cpMissed = false
                for t in 1...length {
                    sum += xs[t - 1]
                    let h = sum / Double(t) - hoeffding[t] > tally.mean
                    let c = tally.binary && cp[t][Int(sum.rounded())] > tally.mean
                    hoeffdingMissed = hoeffdingMissed || h
                    cpMissed = cpMissed || c
                    if t == length {
                        if h { tally.hoeffdingAt64 += 1 }
                        if c { tally.cpAt64 += 1 }
                    }
                }
                if hoeffdingMissed { tally.hoeffdingEver += 1 }
                if cpMissed { tally.cpEver += 1 }
            }
            tallies.append(tally)
        }

        let total = perGroup * tallies.count
        let se = { (n: Int) in (alpha * (1 - alpha) / Double(n)).squareRoot() }
        let sum = { (rows: [Tally], key: KeyPath<Tally, Int>) in rows.reduce(0) { $0 + $1[keyPath: key] } }
        let report = Comment(
            rawValue: "misses of \(perGroup) sequences each: "
                + tallies.map(\.line).joined(separator: "; "))
        let missRate = Double(sum(tallies, \.betting)) / Double(total)
        #expect(total >= 20_000)
        #expect(missRate <= alpha + 3 * se(total), report)
        #expect(sum(tallies, \.stoppedEarly) > 0, report)  // the stopping rule did fire

        // Negative control. Clopper–Pearson is exact at a fixed n (its t = 64 miss rate is
        // within alpha) but re-checked after every observation it misses far more often
        // than alpha on the Bernoulli groups with p <= 1/2 (~17%): the same simulation does
        // catch a bound that is not anytime-valid.
        let binary = tallies.filter(\.binary), central = binary.filter { $0.mean <= 0.5 }
        let n = perGroup * central.count
        #expect(Double(sum(binary, \.cpAt64)) / Double(perGroup * binary.count) <= alpha + 3 * se(perGroup * binary.count), report)
        #expect(Double(sum(central, \.cpEver)) / Double(n) > 2 * alpha, report)
        // Hoeffding is so conservative at these n (~1% misses at a fixed n on Bernoulli(1/2),
        // none on the low-variance groups) that re-checking it 64 times only brings it to
        // ~alpha, not beyond; the inflation from peeking is still plain on the same groups.
        let hoeffdingEver = sum(central, \.hoeffdingEver), hoeffdingAt64 = sum(central, \.hoeffdingAt64)
        #expect(hoeffdingEver >= 3 * hoeffdingAt64 && hoeffdingEver > hoeffdingAt64 + 100, report)
    }

    @Test func nondecreasing() {
        var rng = BettingTestRNG(seed: 7)
        for trial in 0..<20 {
            var bound = BettingLowerBound(alpha: trial % 2 == 0 ? 0.001 : 0.05)
            var previous = bound.lower
            #expect(previous == 0)
            let p = rng.uniform()
            for _ in 0..<300 {
                // A drifting mixture: the bound must still never decrease.
                bound.observe(rng.uniform() < p ? rng.beta(9, 1) : rng.beta(1, 3))
                #expect(bound.lower >= previous)
                #expect(bound.lower >= 0 && bound.lower < 1)
                previous = bound.lower
            }
        }
    }

    @Test func tighterThanHoeffdingOnLowVariance() {
        var rng = BettingTestRNG(seed: 11)
        let xs = (0..<200).map { _ in 0.95 + 0.05 * rng.uniform() }
        let mean = xs.reduce(0, +) / Double(xs.count)
        for alpha in [0.05, 0.001] {
            let betting = BettingBound.lower(xs, alpha: alpha)
            let hoeffding = mean - Hoeffding.margin(n: xs.count, alpha: alpha)
            #expect(betting > hoeffding, "alpha=\(alpha): betting \(betting), Hoeffding \(hoeffding)")
            #expect(betting < mean)
            // Not marginally: all scores are >= 0.95, and the bound sees it.
            #expect(betting > 0.9, "alpha=\(alpha): \(betting)")
        }
    }

    @Test func allOnesApproachesClopperPearson() {
        // With every score 1 the capital is prod (1 - c + c/m) once the cap binds; the bound
        // stays below the exact binomial bound alpha^(1/n) (which knows the scores are 0/1).
        for n in [16, 64, 1000] {
            let ones = [Double](repeating: 1, count: n)
            let b = BettingBound.lower(ones, alpha: 0.001)
            let cp = ClopperPearson.lower(successes: n, trials: n, alpha: 0.001)
            #expect(b > 0 && b <= cp, "n=\(n): betting \(b), Clopper–Pearson \(cp)")
            #expect(BettingBound.lower(ones, alpha: 0.001, truncation: 0.99) > b)
        }
    }

    @Test func emptyClampAndNaN() {
        let empty = BettingLowerBound(alpha: 0.05)
        #expect(empty.lower == 0 && empty.count == 0)
        #expect(BettingBound.lower([], alpha: 0.05) == 0)

        // Out-of-range scores are clamped to [0, 1].
        let raw: [Double] = [1.5, 0.9, -2, 1, 0.95, .infinity, 0.8, -.infinity] + Array(repeating: 3, count: 40)
        let clamped = raw.map { min(max($0, 0), 1) }
        #expect(BettingBound.lower(raw, alpha: 0.01) == BettingBound.lower(clamped, alpha: 0.01))

        // NaN poisons the bound for good; count still counts.
        var bound = BettingLowerBound(alpha: 0.05)
        for _ in 0..<30 { bound.observe(1) }
        #expect(bound.lower > 0.5)
        bound.observe(.nan)
        #expect(bound.lower.isNaN && bound.count == 31)
        bound.observe(1)
        #expect(bound.lower.isNaN && bound.count == 32)
        #expect(BettingBound.lower([0.5, .nan, 0.5], alpha: 0.05).isNaN)
    }

    @Test func invalidParameters() {
        for alpha in [0, 1, -0.1, 1.5, .nan] as [Double] {
            #expect(BettingBound.lower([1, 1, 1], alpha: alpha).isNaN, "alpha=\(alpha)")
        }
        for c in [0, 1, 0.995, -0.5, .nan] as [Double] {
            #expect(BettingBound.lower([1, 1, 1], alpha: 0.05, truncation: c).isNaN, "c=\(c)")
        }
        #expect(BettingLowerBound(alpha: 0.05).truncation == BettingBound.defaultTruncation)
    }

    @Test func predictable() {
        // The bound after t scores never depends on later ones.
        var rng = BettingTestRNG(seed: 3)
        let xs = (0..<120).map { _ in rng.beta(9, 1) }
        var a = BettingLowerBound(alpha: 0.001), b = BettingLowerBound(alpha: 0.001)
        for x in xs.prefix(60) { a.observe(x); b.observe(x) }
        #expect(a.lower == b.lower)
        let before = a.lower
        for x in xs.suffix(60) { a.observe(x) }
        for _ in 0..<60 { b.observe(0) }
        #expect(before == BettingBound.lower(Array(xs.prefix(60)), alpha: 0.001))
        #expect(b.lower == before)  // zeros raise nothing; the bound never falls
        #expect(a.lower > before)
    }

    @Test func fastEnoughForThousandsOfInputs() {
        // 1000 scores: ~0.2 ms in release; generous for a debug build on a shared machine.
        var rng = BettingTestRNG(seed: 5)
        let xs = (0..<1000).map { _ in rng.beta(19, 1) }
        let start = Date()
        let low = BettingBound.lower(xs, alpha: 0.001)
        let elapsed = Date().timeIntervalSince(start)
        #expect(low > 0.9)
        #expect(elapsed < 2, "1000 observations took \(elapsed) s")
    }
}
