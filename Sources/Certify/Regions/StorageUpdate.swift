/// The storage-update rule of METHOD.md §2.7 as pure computation: given what certification says about
/// a new input and the regions already issued, the label and radius to report and store.
///
/// The invariant it keeps: no two stored regions with different labels overlap,
/// ||x_i − x_j|| >= R_i + R_j whenever c_i != c_j.
///
/// Why the rule keeps it, if the store already holds it (exact arithmetic):
/// - Trim (m >= 0): every conflict j has d_j − R_j >= m, so d_j >= m + R_j; every foreign region
///   that was no conflict had d_j >= R + R_j >= m + R_j.
/// - Align (m < 0): x lies inside the ball of j* (d* < R*), and the new ball of radius R* − d*
///   lies inside that ball. For any k with c_k != c*, the invariant gives d(x_j*, x_k) >= R* + R_k,
///   so d(x, x_k) >= R* + R_k − d* = R_new + R_k. This holds for any number of classes: x cannot
///   lie strictly inside two balls of different labels (those balls would overlap), so a third
///   region of yet another label, or the input's own original label, cannot be entered.
///
/// Where the literal text can break it: a non-certified input (R < 0) tested with its negative R.
/// Example: stored (x_1 = 0, c = 1, R = 1); new x with ||x|| = 0.5, certify gives c = 0, R = −0.8.
/// Literally, 0.5 < −0.8 + 1 is false, so no conflict, and (x, 0, 0) is stored inside a label-1 ball:
/// 0.5 < 0 + 1 breaks the invariant and the store reports label 0 at a point it certifies as 1.
/// So R is clamped to max(R, 0) *before* the conflict rule (METHOD.md §2.7: store max(R, 0)); here x is then
/// aligned to label 1 with R = 0.5. For R >= 0 this is the literal rule.
///
/// The guard after an alignment: a store rebuilt from older records, or float64 rounding at a
/// touching boundary, may hold the invariant only approximately; the aligned radius is then also
/// trimmed against every region whose label differs from the new one (R = min(R, d_k − R_k),
/// clamped at 0). On a store that holds the invariant this changes nothing (proof above), so the
/// rule stays METHOD.md §2.7's; it only stops one bad record from spreading.
///
/// How it stays cheap as the store grows, without changing a decision: only regions of another
/// label can conflict, and the region index (`RegionIndex`) screens those with a proven lower
/// bound on the distance (a 32-dimensional projection, `RegionScreen`): a region is skipped
/// only when the exact distance the rule would compute is certainly >= fl(R + R_j), so it could
/// not have been a conflict (nor, in the guard, have trimmed). The survivors get the exact
/// float64 distance, read from the store's map, and every comparison of the rule runs on those
/// exact values in commit order. The decision is therefore exactly the brute-force one, for any
/// projection, BLAS kernel or thread count; the projection's seeded choice is the only randomness
/// and it changes only how many regions survive the screen. A micro-batch (`decideBatch`)
/// screens all its inputs in one product and checks each against the earlier ones exactly, so
/// it decides exactly as one input at a time.
public enum StorageUpdate {
    /// The storage-update rule got a NaN or infinite radius or pixel.
    public struct NonFiniteInput: Error, CustomStringConvertible {
        /// The radius given (the pixels may be the non-finite part).
        public var radius: Double
        /// One line naming the radius.
        public var description: String { "storage-update: the radius (\(radius)) or the pixels are not finite" }
    }

    /// What the rule did to the input's region.
    public enum Outcome: Sendable, Equatable {
        /// No conflict: stored with max(R, 0).
        case stored
        /// Touching the ball of `by` (sha256) at distance `distance` between the inputs.
        case trimmed(by: String, distance: Double)
        /// Inside the ball of `to`; `from` is the label certification gave.
        case aligned(to: String, distance: Double, from: Int)
    }

    /// The label and radius to report and store, and the verdict's `region` record.
    public struct Decision: Sendable, Equatable {
        /// The final label (another region's after an alignment).
        public var label: Int
        /// The final radius, ≥ 0.
        public var radius: Double
        /// What happened.
        public var outcome: Outcome
        /// The record the verdict carries (`status`, `conflict`, `conflict_distance`,
        /// `original_*`).
        public var region: RegionRecord

        /// A decision from its parts.
        public init(label: Int, radius: Double, outcome: Outcome, region: RegionRecord) {
            self.label = label; self.radius = radius; self.outcome = outcome; self.region = region
        }
    }

    /// METHOD.md §2.7: conflicts are the stored (x_j, c_j, R_j) with c_j != c and ||x − x_j|| < R + R_j;
    /// if any, m = min over them of (||x − x_j|| − R_j), ties to the earliest stored; m >= 0 trims
    /// (R = m), m < 0 aligns (c = c*, R = −m). Non-certified inputs enter with R = max(R, 0).
    /// The caller stores (x, label, radius) of the decision; the index is not changed here.
    /// A non-finite radius or pixel throws `NonFiniteInput` (no region can be stored for it).
    public static func decide(
        input x: [Float], label c: Int, radius certifiedRadius: Double,
        index: RegionIndex
    ) throws -> Decision {
        try checkFinite(x, certifiedRadius)
        return try index.withReader { reader in
            try index.refitIfDue(reader: reader)
            var near = index.neighbourhood(for: x, label: c, radius: max(certifiedRadius, 0), reader: reader)
            return try decide(input: x, label: c, radius: certifiedRadius, near: &near)
        }
    }

    /// The rule itself, on any `RegionNeighbourhood` (the region index, or a brute-force one):
    /// every comparison is made here on the exact distances and radii the neighbourhood hands
    /// over, in commit order, so any neighbourhood that hands over at least the regions in reach
    /// gives the same decision, bit for bit.
    public static func decide(
        input x: [Float], label c: Int, radius certifiedRadius: Double,
        near: inout some RegionNeighbourhood
    ) throws -> Decision {
        try checkFinite(x, certifiedRadius)
        let radius = max(certifiedRadius, 0)

        var search = DeepestConflict(radius: radius)
        try near.forEachCandidate(excluding: c, radius: radius) { search.consider($0) }
        guard let hit = search.best else {
            return Decision(label: c, radius: radius, outcome: .stored, region: RegionRecord(status: "stored"))
        }
        let sha = try near.sha256(at: hit.j.position)
        let d = hit.j.distance
        if hit.m >= 0 {
            return Decision(
                label: c, radius: hit.m, outcome: .trimmed(by: sha, distance: d),
                region: RegionRecord(
                    status: "trimmed", conflict: sha, conflictDistance: d,
                    originalLabel: c, originalRadius: certifiedRadius))
        }

        let aligned = hit.j.label
        var alignedRadius = -hit.m
        // The guard (see the type's comment): a no-op when the store holds the invariant. The
        // radius only shrinks, so the regions in reach of the first one include all later ones.
        try near.forEachCandidate(excluding: aligned, radius: alignedRadius) { j in
            guard j.distance < alignedRadius + j.radius else { return }
            alignedRadius = max(0, min(alignedRadius, j.distance - j.radius))
        }
        return Decision(
            label: aligned, radius: alignedRadius,
            outcome: .aligned(to: sha, distance: d, from: c),
            region: RegionRecord(
                status: "aligned", conflict: sha, conflictDistance: d,
                originalLabel: c, originalRadius: certifiedRadius))
    }

    /// The first pass of the rule: among the candidates in reach (d < R + R_j), the one with the
    /// least m = d − R_j, the earliest on ties (candidates come in commit order).
    struct DeepestConflict {
        let radius: Double
        var best: (j: RegionCandidate, m: Double)?

        init(radius: Double) { self.radius = radius }

        mutating func consider(_ j: RegionCandidate) {
            guard j.distance < radius + j.radius else { return }
            let m = j.distance - j.radius
            if best == nil || m < best!.m { best = (j, m) }  // strict: the earliest wins ties
        }
    }

    static func checkFinite(_ x: [Float], _ radius: Double) throws {
        guard radius.isFinite, x.allSatisfy(\.isFinite) else { throw NonFiniteInput(radius: radius) }
    }
}
