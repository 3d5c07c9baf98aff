import Foundation

/// Hoeffding's inequality for the mean of n independent scores in [0, 1]:
/// P(mean - E[mean] >= h) <= exp(-2 n h^2), so h = sqrt(ln(1/alpha) / (2n))
/// is a one-sided margin at level 1 - alpha (RAB, Weber et al. 2023).
public enum Hoeffding {
    /// sqrt(ln(1/alpha) / (2n)). +inf for n < 1 (no models, no confidence);
    /// NaN for alpha outside (0, 1].
    public static func margin(n: Int, alpha: Double) -> Double {
        guard alpha > 0, alpha <= 1 else { return .nan }
        guard n >= 1 else { return .infinity }
        return (-log(alpha) / (2 * Double(n))).squareRoot()
    }
}
