/// Certified accuracy as a function of the radius r ≥ 0, exactly: the fraction of inputs
/// whose label is the expected one and whose radius R > r. It is right-continuous and
/// changes only at the radii of the correct verdicts, so it is stored as those knots.
public struct StepCurve: Sendable, Equatable {
    /// The legend's name.
    public var name: String
    /// Where the value changes, ascending and distinct; `knots[0]` is 0.
    public var knots: [Double]
    /// `values[k]` holds on [knots[k], knots[k + 1]) (the last one from its knot on).
    public var values: [Double]

    /// A curve from its steps; `knots` must start at 0, ascend, and match `values` in length.
    public init(name: String, knots: [Double], values: [Double]) {
        precondition(knots.count == values.count && knots.first == 0, "a step curve starts at r = 0 with one value per knot")
        self.name = name; self.knots = knots; self.values = values
    }

    /// The fraction of `records` with `label == expected` and `radius(record) > r`, at every
    /// r ≥ 0 (`PaperTable`'s Cert acc and Cert wm acc at all radii, not only eleven).
    /// No records: 0 everywhere.
    public static func certifiedAccuracy(
        _ records: [EvalRecord], name: String,
        radius: (EvalRecord) -> Double = { $0.radius }
    ) -> StepCurve {
        guard !records.isEmpty else { return StepCurve(name: name, knots: [0], values: [0]) }
        let n = Double(records.count)
        // Only correct verdicts with R > 0 count at any r ≥ 0 (NaN fails the comparison).
        let hits = records.filter { $0.label == $0.expected }.map(radius).filter { $0 > 0 }.sorted()
        var knots = [0.0], values = [Double(hits.count) / n]
        var i = 0
        while i < hits.count, hits[i].isFinite {
            let r = hits[i]
            while i < hits.count, hits[i] == r { i += 1 }
            // At r itself R > r fails for every R == r: the drop happens at r (right-continuous).
            knots.append(r); values.append(Double(hits.count - i) / n)
        }
        return StepCurve(name: name, knots: knots, values: values)
    }

    /// The value at `r` (for r < 0, the value at 0).
    public func value(at r: Double) -> Double {
        // The last knot ≤ r, by bisection: knots ascend.
        var lo = 0, hi = knots.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if knots[mid] <= r { lo = mid } else { hi = mid - 1 }
        }
        return values[lo]
    }

    /// The largest knot: past it the curve is flat.
    public var lastKnot: Double { knots.last ?? 0 }
}
