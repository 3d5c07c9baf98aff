import Foundation

extension Beta {
    /// x^a (1-x)^b / B(a, b), the factor in front of the continued fraction
    /// (and x(1-x) times the beta density).
    ///
    /// Naively exp(a ln x + b ln(1-x) - ln B(a, b)) subtracts logs of size
    /// ~(a+b) ln(a+b), which costs ~1e-10 relative at a+b = 1e5. Following the
    /// idea of DiDonato & Morris (TOMS 708, "brcomp"), large arguments are
    /// written with Stirling's formula so the big terms cancel analytically:
    ///   ln front = a ln(x/x0) + b ln((1-x)/(1-x0)) + 0.5 ln(ab/(2 pi (a+b)))
    ///              - [c(a) + c(b) - c(a+b)],   x0 = a/(a+b),
    /// where c is the Stirling remainder ln Gamma(t) - (t-0.5) ln t + t - ln sqrt(2 pi).
    static func frontFactor(a: Double, b: Double, x: Double) -> Double {
        let big = 10.0
        if min(a, b) >= big {
            let s = a + b, x0 = a / s
            // ln(x/x0) and ln((1-x)/(1-x0)): log1p of the small relative step
            // near the mode, where the two big terms cancel to first order.
            let near = abs(x - x0) < 0.5 * min(x0, 1 - x0)
            let lnX = near ? log1p((x - x0) / x0) : log(x) - log(x0)
            let lnY = near ? log1p((x0 - x) / (1 - x0)) : log1p(-x) - log1p(-x0)
            let norm = 0.5 * log(a / s * b / (2 * Double.pi))
            let c = stirlingRemainder(a) + stirlingRemainder(b) - stirlingRemainder(s)
            return exp(a * lnX + b * lnY + norm - c)
        }
        if max(a, b) >= big {
            // One large, one small: only ln Gamma(large) - ln Gamma(large + small)
            // is big, so expand that pair by Stirling and keep lgamma for the small one.
            let (small, large) = a < b ? (a, b) : (b, a)
            let (lnSmall, lnLarge) = a < b ? (log(x), log1p(-x)) : (log1p(-x), log(x))
            let s = small + large
            // ln Gamma(large) - ln Gamma(s)
            //   = -(large - 0.5) ln(1 + small/large) - small ln s + small + c(large) - c(s)
            let lnGammaRatio =
                -(large - 0.5) * log1p(small / large) - small * log(s) + small
                + stirlingRemainder(large) - stirlingRemainder(s)
            return exp(small * lnSmall + large * lnLarge - lgamma(small) - lnGammaRatio)
        }
        return exp(a * log(x) + b * log1p(-x) - logBeta(a, b))
    }

    /// c(t) = ln Gamma(t) - [(t - 0.5) ln t - t + 0.5 ln(2 pi)] by its
    /// asymptotic series 1/(12t) - 1/(360t^3) + 1/(1260t^5) - 1/(1680t^7)
    /// + 1/(1188t^9); for t >= 10 the omitted term is below 2e-14.
    static func stirlingRemainder(_ t: Double) -> Double {
        let u = 1 / (t * t)
        return (1.0 / 12 - u * (1.0 / 360 - u * (1.0 / 1260 - u * (1.0 / 1680 - u / 1188)))) / t
    }
}
