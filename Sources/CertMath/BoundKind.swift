/// Which confidence bound turns the certifying models' outputs into (pA_low, pB_up).
public enum BoundKind: String, Codable, Sendable, CaseIterable {
    /// Hoeffding margin on the averaged soft scores (RAB; the paper's choice).
    case hoeffding
    /// Exact binomial bound on the hard votes (Cohen et al. 2019).
    case clopperPearson = "clopper-pearson"
    /// Betting confidence bound on the soft scores, in model order (Waudby-Smith & Ramdas,
    /// JRSS-B 2024): anytime-valid, so it stays valid when the models stop early.
    case betting
    /// Hoeffding and Clopper–Pearson, each at alpha/2 (union bound), keeping the larger radius.
    case best
}
