import Foundation

/// The regularized incomplete beta function I_x(a, b) and its inverse in x,
/// which give the exact (Clopper–Pearson) binomial bounds.
public enum Beta {
    /// I_x(a, b) = B(x; a, b) / B(a, b). 0 for x <= 0, 1 for x >= 1,
    /// NaN when a or b is not positive or an argument is NaN.
    ///
    /// Continued fraction of Abramowitz & Stegun 26.5.8, evaluated with the
    /// modified Lentz method (Lentz 1976; Thompson & Barnett 1986). It
    /// converges fast for x < (a+1)/(a+b+2); beyond that we use the symmetry
    /// I_x(a, b) = 1 - I_{1-x}(b, a).
    public static func regularizedIncomplete(a: Double, b: Double, x: Double) -> Double {
        guard a > 0, b > 0, !x.isNaN else { return .nan }
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        if x < (a + 1) / (a + b + 2) {
            return frontFactor(a: a, b: b, x: x) * continuedFraction(a: a, b: b, x: x) / a
        }
        let y = 1 - x
        return 1 - frontFactor(a: b, b: a, x: y) * continuedFraction(a: b, b: a, x: y) / b
    }

    /// ln B(a, b) from Foundation's lgamma (fine for small a, b; see
    /// frontFactor for large ones).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// 1 / (1 + d1 / (1 + d2 / (1 + ...))) with
    /// d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),
    /// d_{2m}   =  m(b-m) x / ((a+2m-1)(a+2m)).
    private static func continuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300  // stands in for a zero denominator (Lentz)
        let eps = 1e-16
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...10_000 {
            let mm = Double(m)
            // even step d_{2m}
            var num = mm * (b - mm) * x / ((a + 2 * mm - 1) * (a + 2 * mm))
            d = 1 + num * d
            if abs(d) < tiny { d = tiny }
            c = 1 + num / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            f *= d * c
            // odd step d_{2m+1}
            num = -(a + mm) * (a + b + mm) * x / ((a + 2 * mm) * (a + 2 * mm + 1))
            d = 1 + num * d
            if abs(d) < tiny { d = tiny }
            c = 1 + num / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < eps { break }
        }
        return f
    }
}
