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
    public static func decide(input x: [Float], label c: Int, radius certifiedRadius: Double,
                              index: RegionIndex) throws -> Decision {
        guard certifiedRadius.isFinite, x.allSatisfy(\.isFinite) else { throw NonFiniteInput(radius: certifiedRadius) }
        let radius = max(certifiedRadius, 0)
        let screen = index.screen(x)

        var best: (j: Int, d: Double, m: Double)?
        forEachReachable(screen, index: index, excluding: c, radius: radius) { j, d in
            let m = d - index.radii[j]
            if best == nil || m < best!.m { best = (j, d, m) }   // strict: the earliest wins ties
            return radius
        }
        guard let hit = best else {
            return Decision(label: c, radius: radius, outcome: .stored, region: RegionRecord(status: "stored"))
        }
        let sha = index.sha256s[hit.j]
        if hit.m >= 0 {
            return Decision(label: c, radius: hit.m, outcome: .trimmed(by: sha, distance: hit.d),
                            region: RegionRecord(status: "trimmed", conflict: sha, conflictDistance: hit.d,
                                                 originalLabel: c, originalRadius: certifiedRadius))
        }

        let aligned = index.labels[hit.j]
        var alignedRadius = -hit.m
        // The guard (see the type's comment): a no-op when the store holds the invariant.
        forEachReachable(screen, index: index, excluding: aligned, radius: alignedRadius) { j, d in
            alignedRadius = max(0, min(alignedRadius, d - index.radii[j]))
            return alignedRadius
        }
        return Decision(label: aligned, radius: alignedRadius,
                        outcome: .aligned(to: sha, distance: hit.d, from: c),
                        region: RegionRecord(status: "aligned", conflict: sha, conflictDistance: hit.d,
                                             originalLabel: c, originalRadius: certifiedRadius))
    }

    /// Calls `body(j, exact distance)`, in commit order, for each stored region with a label other
    /// than `label` that the ball (x, radius) strictly reaches: ||x − x_j|| < radius + R_j. Rows the
    /// float64 screen proves out of reach are skipped; the rest are decided on the exact distance.
    /// `body` returns the radius to use from then on (it may only shrink).
    private static func forEachReachable(_ screen: RegionIndex.Screen, index: RegionIndex, excluding label: Int,
                                         radius: Double, _ body: (Int, Double) -> Double) {
        var radius = radius
        for j in 0..<index.count where index.labels[j] != label {
            let reach = radius + index.radii[j]
            // Proven ||x − x_j|| >= reach (a hair of slack for rounding in reach²): not reached.
            if screen.squared[j] - screen.bound[j] > reach * reach * (1 + 4 * Double.ulpOfOne) { continue }
            let d = index.exactDistance(j, screen.x)
            if d < reach { radius = body(j, d) }
        }
    }
}
