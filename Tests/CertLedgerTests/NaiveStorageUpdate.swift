import Certify

/// METHOD.md §2.7 written out the slow way, independent of the region index: every stored region in
/// commit order, distances summed naively in float64 (x_i − x_ji squared, i = 0, 1, …), R clamped
/// at 0, ties to the earliest, then the alignment guard against every region of another label.
struct NaiveStorageUpdate {
    var regions: [IndexedRegion] = []

    static func distance(_ a: [Float], _ b: [Float]) -> Double {
        var s = 0.0
        for i in a.indices {
            let d = Double(a[i]) - Double(b[i])
            s += d * d
        }
        return s.squareRoot()
    }

    func decide(_ x: [Float], label c: Int, radius r0: Double) -> StorageUpdate.Decision {
        let r = max(r0, 0)
        var best: (j: Int, d: Double, m: Double)?
        for (j, s) in regions.enumerated() where s.label != c {
            let d = Self.distance(x, s.input)
            if d < r + s.radius, best == nil || d - s.radius < best!.m { best = (j, d, d - s.radius) }
        }
        guard let b = best else {
            return .init(label: c, radius: r, outcome: .stored, region: RegionRecord(status: "stored"))
        }
        let sha = regions[b.j].sha256
        if b.m >= 0 {
            return .init(
                label: c, radius: b.m, outcome: .trimmed(by: sha, distance: b.d),
                region: RegionRecord(status: "trimmed", conflict: sha, conflictDistance: b.d, originalLabel: c, originalRadius: r0))
        }
        let aligned = regions[b.j].label
        var radius = -b.m
        for s in regions where s.label != aligned {
            let d = Self.distance(x, s.input)
            if d < radius + s.radius { radius = max(0, min(radius, d - s.radius)) }
        }
        return .init(
            label: aligned, radius: radius, outcome: .aligned(to: sha, distance: b.d, from: c),
            region: RegionRecord(status: "aligned", conflict: sha, conflictDistance: b.d, originalLabel: c, originalRadius: r0))
    }

    /// Decides and stores, one at a time.
    mutating func decideAndStore(_ item: StorageUpdate.Item) -> StorageUpdate.Decision {
        let d = decide(item.input, label: item.label, radius: item.radius)
        regions.append(IndexedRegion(sha256: item.sha256, label: d.label, radius: d.radius, input: item.input))
        return d
    }
}
