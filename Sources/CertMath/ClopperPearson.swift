/// One-sided exact (Clopper & Pearson 1934) confidence bounds for a binomial
/// proportion, as used on hard votes by Cohen, Rosenfeld & Kolter (2019).
/// With k successes in n trials, each bound holds with probability >= 1 - alpha:
///   lower = BetaInv(alpha; k, n - k + 1)      (0 when k = 0)
///   upper = BetaInv(1 - alpha; k + 1, n - k)  (1 when k = n)
/// Invalid input (n < 1, k outside 0...n, alpha outside (0, 1)) gives NaN.
public enum ClopperPearson {
    /// BetaInv(alpha; k, n − k + 1): with probability ≥ 1 − alpha the true proportion is at least
    /// this; 0 for k = 0, NaN for invalid input.
    public static func lower(successes k: Int, trials n: Int, alpha: Double) -> Double {
        guard n >= 1, k >= 0, k <= n, alpha > 0, alpha < 1 else { return .nan }
        if k == 0 { return 0 }
        return Beta.inverseRegularizedIncomplete(a: Double(k), b: Double(n - k + 1), p: alpha)
    }

    /// Computed as 1 - lower(n - k failures): the same quantity by the
    /// symmetry of the beta, but the solver then works at p = alpha instead
    /// of p = 1 - alpha, where alpha's low digits would be rounded away.
    public static func upper(successes k: Int, trials n: Int, alpha: Double) -> Double {
        guard n >= 1, k >= 0, k <= n, alpha > 0, alpha < 1 else { return .nan }
        return 1 - lower(successes: n - k, trials: n, alpha: alpha)
    }
}

extension ClopperPearson {
    /// `lower` with a real number of successes (k = n·p̂, the expected vote count): the
    /// sigma search's prediction of the bound, not a bound itself.
    public static func lowerContinuous(successes k: Double, trials n: Int, alpha: Double) -> Double {
        guard n >= 1, k.isFinite, alpha > 0, alpha < 1 else { return .nan }
        let k = Swift.min(Swift.max(k, 0), Double(n))
        if k <= 0 { return 0 }
        return Beta.inverseRegularizedIncomplete(a: k, b: Double(n) - k + 1, p: alpha)
    }
}
