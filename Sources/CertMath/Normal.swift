import Foundation

/// The standard normal distribution: CDF and its inverse (PhiInv), the two
/// functions the smoothing radius is made of.
public enum Normal {
    /// Phi(x) = P(Z <= x). Written with erfc so the lower tail keeps full
    /// relative precision down to ~1e-308 (1 + erf would cancel).
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// 1 - Phi(x) = P(Z > x), computed directly so the upper tail keeps its
    /// relative precision (1 - cdf(x) is 0 beyond x ~ 8.3).
    public static func complementaryCDF(_ x: Double) -> Double {
        0.5 * erfc(x / 2.0.squareRoot())
    }

    /// PhiInv(p): the x with Phi(x) = p. quantile(0) = -inf, quantile(1) = +inf,
    /// NaN outside [0, 1].
    ///
    /// Wichura's AS241 (PPND16; ~1e-16 relative) followed by one Halley step
    /// against erfc, which cleans up the last ulps. Both work on the smaller
    /// tail r = min(p, 1-p) and the sign is flipped at the end, so p close to
    /// 1 is as accurate as p close to 0 (1 - p is exact for p >= 0.5).
    public static func quantile(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }  // also catches NaN
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let upper = p > 0.5
        let r = upper ? 1 - p : p
        let x = halleyStep(AS241.ppnd16(r), target: r)  // x <= 0, Phi(x) = r
        return upper ? -x : x
    }

    /// One Halley step for Phi(x) = r with x <= 0, where Phi(x) is
    /// 0.5*erfc(-x/sqrt2) without cancellation. Halley converges cubically,
    /// so a ~1e-16 start stays at rounding level.
    private static func halleyStep(_ x: Double, target r: Double) -> Double {
        guard x.isFinite else { return x }
        // u = (Phi(x) - r) / phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi); split as
        // relative error times r/phi(x) so deep tails (r = 1e-300) don't overflow.
        let u = (cdf(x) - r) / r * (2 * Double.pi).squareRoot() * exp(x * x / 2 + log(r))
        guard u.isFinite else { return x }
        return x - u / (1 + x * u / 2)
    }
}
