/// The early-stopping rule of a certificate, as pure computation (Certifier+EarlyStopping
/// runs it; EarlyStoppingTests checks its coverage by simulation).
///
/// With the label's score sequence x_1, x_2, … (the certifying models in their fixed order),
/// L_t is the betting lower bound of the mean and U_t = 1 − (the betting lower bound of the
/// mean of 1 − x). The question is whether the certified radius exceeds the target, i.e.
/// whether the mean exceeds τ = Φ(target / sigma). It is decided, and the models stop, once
/// L_t > τ (certified beyond the target) or U_t ≤ τ (the target cannot be reached). Only L_t
/// is reported, and it is valid at this data-dependent time because the betting bound holds
/// at every t at once (Ville); U_t only decides when to stop.
public struct EarlyStopping: Sendable {
    /// L_t: the betting lower bound of the label's mean score, the one the certificate reports.
    public private(set) var lower: BettingLowerBound
    private var complement: BettingLowerBound
    /// τ = Φ(target / sigma): the mean score the target radius needs.
    public let threshold: Double

    /// A rule at level `alpha` for the threshold τ (`threshold(targetRadius:sigma:)`); both bounds
    /// use the default bet cap.
    public init(alpha: Double, threshold: Double) {
        lower = BettingLowerBound(alpha: alpha)
        complement = BettingLowerBound(alpha: alpha)
        self.threshold = threshold
    }

    /// The threshold τ = Φ(target / sigma) of a target radius.
    public static func threshold(targetRadius: Double, sigma: Double) -> Double {
        Normal.cdf(targetRadius / sigma)
    }

    /// Feeds the next model's score of the label, in the models' fixed order: x to L_t, 1 − x to
    /// U_t.
    public mutating func observe(_ x: Double) {
        lower.observe(x)
        complement.observe(1 - x)
    }

    /// U_t, the upper bound that decides "cannot reach".
    public var upper: Double { 1 - complement.lower }

    /// L_t > τ or U_t ≤ τ (a NaN bound never decides: the caller runs every model).
    public var decided: Bool { lower.lower > threshold || upper <= threshold }
}
