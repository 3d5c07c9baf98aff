import CertMath

extension Verdict {
    /// The verdict after the storage-update rule decided `d` for it (METHOD.md §2.7).
    ///
    /// `stored`: unchanged but for the radius, max(R, 0) (a non-certified input enters the
    /// store as a point). `trimmed` or `aligned`: every field describes the final label and
    /// radius R', and the values certification gave stay under `region.original_*`:
    /// margin = R'/sigma; p_a_lower = Φ(margin) and p_b_upper = 1 − p_a_lower, the bounds
    /// that would give exactly R'; radius_expected = min(its value, R') when the label stayed
    /// and R' after an alignment; p_a and p_b are the certifying models' estimates for the
    /// final label (mean scores, or vote shares under Clopper–Pearson); each trigger's
    /// `covered` is R' > l2.
    public func updated(by d: StorageUpdate.Decision, classes: [String]) -> Verdict {
        var v = self
        v.region = d.region
        v.radius = d.radius
        v.certified = d.radius > 0
        if d.outcome != .stored {
            v.region.originalMargin = margin
            v.region.originalRadiusExpected = radiusExpected
            v.region.originalPA = pA
            v.region.originalPB = pB
            v.region.originalPALower = pALower
            v.region.originalPBUpper = pBUpper
            v.label = d.label
            v.labelName = classes[d.label]
            v.margin = sigma > 0 ? d.radius / sigma : 0
            v.pALower = Normal.cdf(v.margin)
            v.pBUpper = 1 - v.pALower
            v.radiusExpected = d.label == label ? min(radiusExpected, d.radius) : d.radius
            v.marginExpected = sigma > 0 ? v.radiusExpected / sigma : 0
            if d.label != label {
                let estimates = bound == .clopperPearson && nModels > 0 ? votes.map { Double($0) / Double(nModels) } : scores
                if estimates.indices.contains(d.label) {
                    v.pA = estimates[d.label]
                    v.pB = estimates.indices.filter { $0 != d.label }.map { estimates[$0] }.max() ?? 0
                }
            }
        }
        v.triggers = triggers.map { TriggerReport(name: $0.name, l2: $0.l2, covered: v.radius > $0.l2, label: $0.label) }
        return v
    }
}
