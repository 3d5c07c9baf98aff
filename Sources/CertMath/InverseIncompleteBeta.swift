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
    /// A root that no Double resolves (a = 0.01, p = 1e-6 gives ~1e-500)
    /// comes back as the nearest representable end, 0 or 1.nextDown.
    public static func inverseRegularizedIncomplete(a: Double, b: Double, p: Double) -> Double {
        guard a > 0, b > 0, p >= 0, p <= 1 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        var lo = 0.0, hi = 1.0
        var x = initialGuess(a: a, b: b, p: p)
        for _ in 0..<200 {
            let f = regularizedIncomplete(a: a, b: b, x: x) - p
            if f == 0 { return x }
            if f < 0 { lo = x } else { hi = x }
            // density x^(a-1) (1-x)^(b-1) / B(a, b)
            let pdf = frontFactor(a: a, b: b, x: x) / (x * (1 - x))
            var next = x - f / pdf
            if !next.isFinite || next <= lo || next >= hi {
                next = bisect(lo, hi)
            }
            if abs(next - x) <= 1e-15 * min(x, 1 - x) || hi - lo <= 2 * x.ulp { return next }
            x = next
        }
        return x
    }

    /// Midpoint, but geometric (on x, or on 1 - x near 1) while the bracket
    /// spans more than a factor 4 there, so roots like 1e-7 (k = 1 of
    /// n = 1e5) or 1e-250 are reached in tens of steps, not hundreds.
    private static func bisect(_ lo: Double, _ hi: Double) -> Double {
        if hi <= 0.5 {
            let l = max(lo, Double.leastNormalMagnitude)
            if hi / l > 4 { return (l * hi).squareRoot() }
        } else if lo >= 0.5 {
            // 1 - x resolves no finer than half an ulp of 1.
            let l = max(1 - hi, Double.ulpOfOne / 2), u = 1 - lo
            if u / l > 4 { return 1 - (l * u).squareRoot() }
        }
        return (lo + hi) / 2
    }

    /// A&S 26.5.22: x ~ a / (a + b e^{2w}), with y the upper normal deviate
    /// of p. Falls back to the mean where the formula is not defined.
    private static func initialGuess(a: Double, b: Double, p: Double) -> Double {
        let mean = a / (a + b)
        guard a > 1, b > 1 else { return mean }
        let y = -Normal.quantile(p)  // P(Z > y) = p
        let lambda = (y * y - 3) / 6
        let h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
        let w =
            y * (h + lambda).squareRoot() / h
            - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (lambda + 5.0 / 6 - 2 / (3 * h))
        let x = a / (a + b * exp(2 * w))
        return x > 0 && x < 1 && x.isFinite ? x : mean
    }
}
