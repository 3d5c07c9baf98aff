/// The verdict for one input: predicted label, the probability bounds behind
/// it, and the certified L2 radius (DESIGN 2.4).
///
/// M = 0.5 * (PhiInv(pALower) - PhiInv(pBUpper)) is dimensionless: RAB's
/// guarantee covers every backdoor with
/// sum_i ||delta_i||^2 / sigma_i^2 + ||delta_test||^2 / sigma^2 < M^2,
/// and radius = sigma * M is the test-side case.
public struct Certificate: Codable, Sendable, Equatable {
    public var label: Int
    /// Point estimates behind the bound that produced this certificate:
    /// top-2 averaged scores for Hoeffding, top-2 vote shares for
    /// Clopper–Pearson (so pALower <= pA holds in both cases).
    public var pA: Double
    public var pB: Double
    /// Clamped to [1e-8, 1 - 1e-8] so PhiInv stays finite.
    public var pALower: Double
    public var pBUpper: Double
    public var margin: Double
    /// sigma * margin; may be negative (then not certified), kept raw.
    public var radius: Double
    /// The same from meanScores' top-2 without any statistical margin.
    public var marginExpected: Double
    public var radiusExpected: Double
    /// radius > 0.
    public var certified: Bool
    /// The bound that produced the numbers; for `.best`, the winning one.
    public var bound: BoundKind
    public var nModels: Int
    /// The total alpha of the request (for `.best`, each bound used alpha/2).
    public var alpha: Double

    public static func compute(_ input: CertificateInput) -> Certificate {
        switch input.bound {
        case .hoeffding:
            return hoeffding(input, alpha: input.alpha)
        case .clopperPearson:
            return clopperPearson(input, alpha: input.alpha)
        case .best:
            // Union bound: both hold together with probability >= 1 - alpha.
            let h = hoeffding(input, alpha: input.alpha / 2)
            let c = clopperPearson(input, alpha: input.alpha / 2)
            var winner = c.radius > h.radius ? c : h
            winner.alpha = input.alpha
            return winner
        }
    }

    /// Certified at radius r: strictly R > r (DESIGN 2.8).
    public func isCertified(atRadius r: Double) -> Bool {
        radius > r
    }
}

extension Certificate {
    static let pMin = 1e-8
    static let pMax = 1 - 1e-8

    static func clamp(_ p: Double) -> Double {
        Swift.min(Swift.max(p, pMin), pMax)
    }

    /// 0.5 * (PhiInv(pA) - PhiInv(pB)) after clamping.
    static func halfGap(_ pA: Double, _ pB: Double) -> Double {
        0.5 * (Normal.quantile(clamp(pA)) - Normal.quantile(clamp(pB)))
    }

    /// RAB: Hoeffding margin h on the averaged scores; label from the scores.
    static func hoeffding(_ input: CertificateInput, alpha: Double) -> Certificate {
        let n = input.nModels
        let s = TopTwo(input.meanScores, zero: 0.0)
        let h = Hoeffding.margin(n: n, alpha: alpha)
        return Certificate(input, bound: .hoeffding, alpha: alpha, label: s.index,
                           pA: s.top, pB: s.runnerUp,
                           pALower: clamp(s.top - h), pBUpper: clamp(s.runnerUp + h))
    }

    /// Cohen et al.: exact lower bound on the top class's vote share; every
    /// other class together gets at most the rest, so pB_up = 1 - pA_low.
    static func clopperPearson(_ input: CertificateInput, alpha: Double) -> Certificate {
        let n = input.nModels
        let v = TopTwo(input.votes, zero: 0)
        let low = clamp(ClopperPearson.lower(successes: v.top, trials: n, alpha: alpha))
        let share = { (k: Int) in n > 0 ? Double(k) / Double(n) : .nan }
        return Certificate(input, bound: .clopperPearson, alpha: alpha, label: v.index,
                           pA: share(v.top), pB: share(v.runnerUp),
                           pALower: low, pBUpper: clamp(1 - low))
    }

    private init(_ input: CertificateInput, bound: BoundKind, alpha: Double, label: Int,
                 pA: Double, pB: Double, pALower: Double, pBUpper: Double) {
        let scores = TopTwo(input.meanScores, zero: 0.0)
        self.label = label
        self.pA = pA
        self.pB = pB
        self.pALower = pALower
        self.pBUpper = pBUpper
        margin = 0.5 * (Normal.quantile(pALower) - Normal.quantile(pBUpper))
        radius = input.sigma * margin
        marginExpected = Certificate.halfGap(scores.top, scores.runnerUp)
        radiusExpected = input.sigma * marginExpected
        certified = radius > 0
        self.bound = bound
        nModels = input.nModels
        self.alpha = alpha
    }
}
