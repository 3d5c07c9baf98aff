/// Which confidence bound turns the ensemble's outputs into (pA_low, pB_up).
public enum BoundKind: String, Codable, Sendable, CaseIterable {
    /// Hoeffding margin on the averaged soft scores (RAB; the paper's choice).
    case hoeffding
    /// Exact binomial bound on the hard votes (Cohen et al. 2019).
    case clopperPearson = "clopper-pearson"
    /// Both, each at alpha/2 (union bound), keeping the larger radius.
    case best
}
