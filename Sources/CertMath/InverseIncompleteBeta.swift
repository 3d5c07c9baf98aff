import Foundation

extension Beta {
    /// The x in [0, 1] with I_x(a, b) = p. 0 for p = 0, 1 for p = 1, NaN for
    /// p outside [0, 1] or a, b not positive.
    ///
    /// Safeguarded Newton: I_x is increasing in x, so every evaluation
    /// shrinks a bracket [lo, hi] around the root, and a Newton step that
    /// leaves the bracket (or is not finite) is replaced by bisection. The
    /// start is the normal approximation of Abramowitz & Stegun 26.5.22
    /// (for a, b > 1), else the mean a/(a+b). Stops at ~1e-15 relative in x.
    public static func inverseRegularizedIncomplete(a: Double, b: Double, p: Double) -> Double {
        guard a > 0, b > 0, p >= 0, p <= 1 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        let lb = logBeta(a, b)
        var lo = 0.0, hi = 1.0
        var x = initialGuess(a: a, b: b, p: p)
        for _ in 0..<300 {
            let f = regularizedIncomplete(a: a, b: b, x: x) - p
            if f == 0 { return x }
            if f < 0 { lo = x } else { hi = x }
            // density x^(a-1) (1-x)^(b-1) / B(a, b)
            let pdf = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - lb)
            var next = x - f / pdf
            if !next.isFinite || next <= lo || next >= hi {
                // Bisect; in big steps while the bracket still touches 0 or
                // 1, so roots like 1e-7 (k = 1 of n = 1e5) come in few steps.
                if lo == 0 { next = hi / 8 }
                else if hi == 1 { next = 1 - (1 - lo) / 8 }
                else { next = (lo + hi) / 2 }
            }
            if abs(next - x) <= 1e-15 * min(x, 1 - x) || hi - lo <= 2 * x.ulp { return next }
            x = next
        }
        return x
    }

    /// A&S 26.5.22: x ~ a / (a + b e^{2w}), with y the upper normal deviate
    /// of p. Falls back to the mean where the formula is not defined.
    private static func initialGuess(a: Double, b: Double, p: Double) -> Double {
        let mean = a / (a + b)
        guard a > 1, b > 1 else { return mean }
        let y = -Normal.quantile(p)                 // P(Z > y) = p
        let lambda = (y * y - 3) / 6
        let h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
        let w = y * (h + lambda).squareRoot() / h
            - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (lambda + 5.0 / 6 - 2 / (3 * h))
        let x = a / (a + b * exp(2 * w))
        return x > 0 && x < 1 && x.isFinite ? x : mean
    }
}
