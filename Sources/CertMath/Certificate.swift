/// The verdict for one input: its label, the probability bounds behind it, and the
/// certified L2 radius (METHOD.md §2.4).
///
/// The guarantee. The certifying models are i.i.d. draws of the training procedure, each
/// with its own fixed noise z_m, so their scores of a class c at sigma are i.i.d. with mean
/// p_c(x, sigma), the smoothed classifier's probability of c. The label c is fixed before
/// these scores are seen (by the search models at sigma0, with their own noise, see
/// `CertificateInput.label`), so `pALower` is a one-sided (1 - alpha) lower confidence bound
/// of p_c. For binary tasks and for Clopper–Pearson and betting, pB_up = 1 - pA_low (every
/// other class together has at most the rest); Hoeffding with three or more classes bounds
/// the runner-up's mean score separately, each bound at alpha/2 (union bound). When the
/// bound does not put c above 1/2 the verdict is not certified: an abstention, never a
/// certificate for another class.
///
/// M = 0.5 * (PhiInv(pALower) - PhiInv(pBUpper)) is dimensionless: RAB's
/// guarantee covers every backdoor with
/// sum_i ||delta_i||^2 / sigma_i^2 + ||delta_test||^2 / sigma^2 < M^2,
/// and radius = sigma * M is the test-side case.
public struct Certificate: Codable, Sendable, Equatable {
    /// The certified class: the fixed label when one was given, else the top class of the scores.
    public var label: Int
    /// Point estimates of the label's probability and of the best other class: mean soft
    /// scores for Hoeffding and betting, vote shares for Clopper–Pearson (so pALower <= pA).
    public var pA: Double
    /// The best other class's point estimate, in the same units as `pA`.
    public var pB: Double
    /// Clamped to [1e-8, 1 - 1e-8] so PhiInv stays finite.
    public var pALower: Double
    /// The upper confidence bound of the best other class, clamped like `pALower`; 1 − pALower
    /// unless Hoeffding bounds a runner-up of three or more classes.
    public var pBUpper: Double
    /// M = ½(Φ⁻¹(pALower) − Φ⁻¹(pBUpper)), dimensionless; negative when the label is not supported.
    public var margin: Double
    /// sigma * margin; may be negative (then not certified), kept raw.
    public var radius: Double
    /// The same from the mean scores of the label and the best other class, without any
    /// statistical margin.
    public var marginExpected: Double
    /// sigma · marginExpected: the point estimate of the radius, L2 in pixel units like `radius`.
    public var radiusExpected: Double
    /// radius > 0.
    public var certified: Bool
    /// The bound that produced the numbers; for `.best`, the winning one.
    public var bound: BoundKind
    /// N, the certifying models whose outputs went into the bound.
    public var nModels: Int
    /// The total alpha of the request (for `.best`, each bound used alpha/2).
    public var alpha: Double

    /// Applies `input.bound` at `input.alpha` to `input`. `.best` runs Hoeffding and
    /// Clopper–Pearson at alpha/2 each and keeps the larger radius (reporting the total alpha).
    public static func compute(_ input: CertificateInput) -> Certificate {
        switch input.bound {
        case .hoeffding:
            return hoeffding(input, alpha: input.alpha)
        case .clopperPearson:
            return clopperPearson(input, alpha: input.alpha)
        case .betting:
            return betting(input, alpha: input.alpha)
        case .best:
            // Union bound: both hold together with probability >= 1 - alpha.
            let h = hoeffding(input, alpha: input.alpha / 2)
            let c = clopperPearson(input, alpha: input.alpha / 2)
            var winner = c.radius > h.radius ? c : h
            winner.alpha = input.alpha
            return winner
        }
    }

    /// Certified at radius r: strictly R > r (METHOD.md §2.8).
    public func isCertified(atRadius r: Double) -> Bool {
        radius > r
    }

    /// The lower confidence bound of the label's probability that `bound` gives for `n`
    /// certifying models whose scores of the label look like `sample` (soft scores of the
    /// search's draws): the sigma search's prediction of the certificate it will get.
    /// Clopper–Pearson reads the sample's mean as the expected vote share (k = n·p̂, a real
    /// number); betting runs on n scores cycled from the sample in its order.
    /// A bound that cannot be computed (NaN: alpha halved to 0) predicts 0, never NaN, so no
    /// sigma is chosen on a comparison with NaN (found by the certify fuzz target).
    public static func predictedLowerBound(_ bound: BoundKind, sample: [Double], n: Int, alpha: Double) -> Double {
        let low = predictedBound(bound, sample: sample, n: n, alpha: alpha)
        return low.isNaN ? 0 : low
    }

    private static func predictedBound(_ bound: BoundKind, sample: [Double], n: Int, alpha: Double) -> Double {
        guard !sample.isEmpty, n >= 1 else { return 0 }
        let mean = sample.reduce(0, +) / Double(sample.count)
        switch bound {
        case .hoeffding:
            return mean - Hoeffding.margin(n: n, alpha: alpha)
        case .clopperPearson:
            return ClopperPearson.lowerContinuous(successes: mean * Double(n), trials: n, alpha: alpha)
        case .betting:
            return BettingBound.lower((0..<n).map { sample[$0 % sample.count] }, alpha: alpha)
        case .best:
            return max(
                mean - Hoeffding.margin(n: n, alpha: alpha / 2),
                ClopperPearson.lowerContinuous(successes: mean * Double(n), trials: n, alpha: alpha / 2))
        }
    }
}

extension Certificate {
    static let pMin = 1e-8
    static let pMax = 1 - 1e-8

    static func clamp(_ p: Double) -> Double {
        Swift.min(Swift.max(p, pMin), pMax)
    }

    /// A lower confidence bound clamped, NaN read as the least it could say (pMin): a bound that
    /// broke (alpha halved to 0, found by the certify fuzz target) abstains, never certifies.
    static func clampLower(_ p: Double) -> Double { p.isNaN ? pMin : clamp(p) }

    /// An upper confidence bound clamped, NaN read as pMax (see `clampLower`).
    static func clampUpper(_ p: Double) -> Double { p.isNaN ? pMax : clamp(p) }

    /// 0.5 * (PhiInv(pA) - PhiInv(pB)) after clamping.
    static func halfGap(_ pA: Double, _ pB: Double) -> Double {
        0.5 * (Normal.quantile(clamp(pA)) - Normal.quantile(clamp(pB)))
    }

    /// The class to certify: the fixed one, else the top class of `values` (ties to the lower).
    static func chosenLabel<T: Comparable>(_ input: CertificateInput, _ values: [T], zero: T) -> Int {
        input.label ?? TopTwo(values, zero: zero).index
    }

    /// The largest entry other than `c` (0 with one class).
    static func best<T: Comparable>(_ values: [T], except c: Int, zero: T) -> T {
        values.indices.filter { $0 != c }.map { values[$0] }.max() ?? zero
    }

    /// RAB: Hoeffding margin h on the averaged scores.
    static func hoeffding(_ input: CertificateInput, alpha: Double) -> Certificate {
        let n = input.nModels
        let c = chosenLabel(input, input.meanScores, zero: 0.0)
        let pA = input.meanScores[c], pB = best(input.meanScores, except: c, zero: 0.0)
        if input.meanScores.count <= 2 {
            let low = clampLower(pA - Hoeffding.margin(n: n, alpha: alpha))
            return Certificate(
                input, bound: .hoeffding, alpha: alpha, label: c, pA: pA, pB: pB,
                pALower: low, pBUpper: clamp(1 - low))
        }
        // Three or more classes: the label and the runner-up each at alpha/2.
        let h = Hoeffding.margin(n: n, alpha: alpha / 2)
        return Certificate(
            input, bound: .hoeffding, alpha: alpha, label: c, pA: pA, pB: pB,
            pALower: clampLower(pA - h), pBUpper: clampUpper(pB + h))
    }

    /// Cohen et al.: exact lower bound on the label's vote share; every other class together
    /// gets at most the rest, so pB_up = 1 - pA_low.
    static func clopperPearson(_ input: CertificateInput, alpha: Double) -> Certificate {
        let n = input.nModels
        let c = chosenLabel(input, input.votes, zero: 0)
        let low = clampLower(ClopperPearson.lower(successes: input.votes[c], trials: n, alpha: alpha))
        let share = { (k: Int) in n > 0 ? Double(k) / Double(n) : .nan }
        return Certificate(
            input, bound: .clopperPearson, alpha: alpha, label: c,
            pA: share(input.votes[c]), pB: share(best(input.votes, except: c, zero: 0)),
            pALower: low, pBUpper: clamp(1 - low))
    }

    /// Waudby-Smith & Ramdas: betting lower bound on the label's mean soft score, from the
    /// models' scores in their fixed order; pB_up = 1 - pA_low.
    static func betting(_ input: CertificateInput, alpha: Double) -> Certificate {
        let c = chosenLabel(input, input.meanScores, zero: 0.0)
        let scores = input.scores(of: c)
        let low = clampLower(scores.isEmpty ? 0 : BettingBound.lower(scores, alpha: alpha))
        return Certificate(
            input, bound: .betting, alpha: alpha, label: c,
            pA: input.meanScores[c], pB: best(input.meanScores, except: c, zero: 0.0),
            pALower: low, pBUpper: clamp(1 - low))
    }

    private init(
        _ input: CertificateInput, bound: BoundKind, alpha: Double, label: Int,
        pA: Double, pB: Double, pALower: Double, pBUpper: Double
    ) {
        self.label = label
        self.pA = pA
        self.pB = pB
        self.pALower = pALower
        self.pBUpper = pBUpper
        margin = 0.5 * (Normal.quantile(pALower) - Normal.quantile(pBUpper))
        radius = input.sigma * margin
        marginExpected = Certificate.halfGap(input.meanScores[label], Certificate.best(input.meanScores, except: label, zero: 0.0))
        radiusExpected = input.sigma * marginExpected
        certified = radius > 0
        self.bound = bound
        nModels = input.nModels
        self.alpha = alpha
    }
}
