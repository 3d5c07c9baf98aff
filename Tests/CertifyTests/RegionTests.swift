import CertMath
import CertTestSupport
import Certify
import Foundation
import Testing

private func naiveDistance(_ a: [Float], _ b: [Float]) -> Double {
    var s = 0.0
    for i in a.indices { let d = Double(a[i]) - Double(b[i]); s += d * d }
    return s.squareRoot()
}

/// A point of dimension 4 with the given first coordinates (exact distances along an axis).
private func p(_ v: Float...) -> [Float] { v + [Float](repeating: 0, count: 4 - v.count) }

private func index(_ regions: [(label: Int, radius: Double, input: [Float])]) -> RegionIndex {
    RegionIndex(
        dimension: 4,
        regions: regions.enumerated().map { i, r in
            IndexedRegion(sha256: "h\(i)", label: r.label, radius: r.radius, input: r.input)
        })
}

@Suite struct StorageUpdateBranchTests {
    @Test func noConflictIsStoredAsCertified() throws {
        let idx = index([(1, 1, p(10))])
        let d = try StorageUpdate.decide(input: p(0), label: 0, radius: 2, index: idx)
        #expect(d == .init(label: 0, radius: 2, outcome: .stored, region: RegionRecord(status: "stored")))
    }

    @Test func touchingIsNoConflict() throws {
        // d = 3 = R + R_j: touching, never entering.
        let d = try StorageUpdate.decide(input: p(3), label: 0, radius: 2, index: index([(1, 1, p(0))]))
        #expect(d.outcome == .stored && d.radius == 2)
    }

    @Test func trimToTouchTheForeignBall() throws {
        // d = 3, R_j = 1, R = 2.5 > d − R_j = 2 >= 0.
        let d = try StorageUpdate.decide(input: p(3), label: 0, radius: 2.5, index: index([(1, 1, p(0))]))
        #expect(d.label == 0 && d.radius == 2)
        #expect(d.outcome == .trimmed(by: "h0", distance: 3))
        #expect(
            d.region
                == RegionRecord(
                    status: "trimmed", conflict: "h0", conflictDistance: 3,
                    originalLabel: 0, originalRadius: 2.5))
    }

    @Test func insideAForeignBallAligns() throws {
        let d = try StorageUpdate.decide(input: p(0.5), label: 0, radius: 1, index: index([(1, 2, p(0))]))
        #expect(d.label == 1 && d.radius == 1.5)
        #expect(d.outcome == .aligned(to: "h0", distance: 0.5, from: 0))
        #expect(d.region.status == "aligned" && d.region.conflict == "h0" && d.region.originalLabel == 0)
    }

    @Test func deepestContainmentWins() throws {
        // h0 is shallower (m = 0.5 − 1.5 = −1) than h1 (m = 0.5 − 2 = −1.5); h2 would only trim (m = 3.5).
        let idx = index([(1, 1.5, p(1)), (1, 2, p(0)), (2, 1, p(5))])
        let d = try StorageUpdate.decide(input: p(0.5), label: 0, radius: 4, index: idx)
        #expect(d.label == 1 && d.radius == 1.5 && d.outcome == .aligned(to: "h1", distance: 0.5, from: 0))
    }

    @Test func tiesGoToTheEarliestStored() throws {
        // Two foreign balls touch at x: both give m = 0.
        let idx = index([(1, 1, p(0)), (2, 1, p(2))])
        let d = try StorageUpdate.decide(input: p(1), label: 0, radius: 0.5, index: idx)
        #expect(d.radius == 0 && d.outcome == .trimmed(by: "h0", distance: 1))
    }

    @Test func sameLabelOverlapIsIgnored() throws {
        let d = try StorageUpdate.decide(input: p(0.5), label: 0, radius: 3, index: index([(0, 2, p(0))]))
        #expect(d.outcome == .stored && d.radius == 3 && d.label == 0)
    }

    @Test func nonCertifiedInputIsStoredWithRadiusZero() throws {
        let d = try StorageUpdate.decide(input: p(0.5), label: 0, radius: -0.3, index: index([(1, 1, p(3))]))
        #expect(d == .init(label: 0, radius: 0, outcome: .stored, region: RegionRecord(status: "stored")))
        // An empty store too.
        #expect(try StorageUpdate.decide(input: p(0), label: 1, radius: -1, index: RegionIndex(dimension: 4)).radius == 0)
    }

    /// A NaN or infinite radius, or a NaN pixel, is an error for that input, never a crash.
    @Test func nonFiniteRadiusOrPixelThrows() throws {
        for radius in [Double.nan, .infinity, -.infinity] {
            #expect(throws: StorageUpdate.NonFiniteInput.self) {
                try StorageUpdate.decide(input: p(0), label: 0, radius: radius, index: index([(1, 1, p(3))]))
            }
        }
        var x = p(0)
        x[1] = .nan
        #expect(throws: StorageUpdate.NonFiniteInput.self) {
            try StorageUpdate.decide(input: x, label: 0, radius: 1, index: RegionIndex(dimension: 4))
        }
    }

    @Test func nonCertifiedInputInsideAForeignBallAligns() throws {
        // Literal order (test with R = −0.8) would miss it: 0.5 < −0.8 + 1 is false.
        let d = try StorageUpdate.decide(input: p(0.5), label: 0, radius: -0.8, index: index([(1, 1, p(0))]))
        #expect(d.label == 1 && d.radius == 0.5 && d.outcome == .aligned(to: "h0", distance: 0.5, from: 0))
        #expect(d.region.originalRadius == -0.8)
    }

    @Test func storedPointsWithRadiusZeroAreNotEntered() throws {
        // A stored non-certified input is a point a later foreign ball must not contain.
        let d = try StorageUpdate.decide(input: p(1), label: 0, radius: 2, index: index([(1, 0, p(0))]))
        #expect(d.radius == 1 && d.outcome == .trimmed(by: "h0", distance: 1))
    }

    @Test func alignmentGuardOnABrokenStore() throws {
        // h0 (label 1) and h1 (label 2) overlap, which the rule never produces; the aligned ball
        // still stays out of h1.
        let idx = index([(1, 2, p(0)), (2, 1, p(1.5))])
        let d = try StorageUpdate.decide(input: p(0), label: 0, radius: 0.1, index: idx)
        #expect(d.label == 1 && d.radius == 0.5 && d.outcome == .aligned(to: "h0", distance: 0, from: 0))
    }

    @Test func regionJSONLeavesAbsentFieldsOut() throws {
        let e = JSONEncoder(); e.outputFormatting = .sortedKeys
        #expect(String(decoding: try e.encode(RegionRecord.unstored), as: UTF8.self) == #"{"status":"unstored"}"#)
        let r = RegionRecord(status: "aligned", conflict: "h", conflictDistance: 0.5, originalLabel: 0, originalRadius: 1)
        #expect(
            String(decoding: try e.encode(r), as: UTF8.self)
                == #"{"conflict":"h","conflict_distance":0.5,"original_label":0,"original_radius":1,"status":"aligned"}"#)
        #expect(try JSONDecoder().decode(RegionRecord.self, from: e.encode(r)) == r)
    }
}

@Suite(.blockingWork) struct RegionIndexTests {
    @Test func distancesMatchANaiveLoop() throws {
        var rng = SplitMix64(seed: 7)
        let D = 37
        let idx = RegionIndex(dimension: D)
        var inputs: [[Float]] = []
        for i in 0..<200 {
            let v = (0..<D).map { _ in Float.random(in: -1...2, using: &rng) }
            inputs.append(v)
            idx.append(IndexedRegion(sha256: "\(i)", label: i % 2, radius: 0, input: v))
        }
        #expect(idx.count == 200)
        // A fresh input, a stored one (distance 0) and a near-duplicate (cancellation).
        var near = inputs[5]; near[3] = near[3].nextUp
        for x in [(0..<D).map { _ in Float.random(in: -1...2, using: &rng) }, inputs[17], near] {
            let got = try idx.distances(to: x)
            for j in 0..<idx.count {
                let want = naiveDistance(x, inputs[j])
                #expect(abs(got[j] - want) <= 1e-9 * want, "row \(j): \(got[j]) vs \(want)")
            }
        }
        #expect(try idx.region(at: 9).input == inputs[9])
        #expect(try RegionIndex(dimension: D).distances(to: inputs[0]).isEmpty)
    }

    /// METHOD.md §2.7's rule as written (R clamped at 0 first), on naive distances and without the
    /// alignment guard: on a store built by the rule the index's screen and the guard must not
    /// change a single decision, bit for bit.
    static func reference(_ x: [Float], _ c: Int, _ r0: Double, _ stored: [IndexedRegion]) -> (Int, Double) {
        let r = max(r0, 0)
        var best: (j: Int, d: Double, m: Double)?
        for (j, s) in stored.enumerated() where s.label != c {
            let d = naiveDistance(x, s.input)
            if d < r + s.radius, best == nil || d - s.radius < best!.m { best = (j, d, d - s.radius) }
        }
        guard let b = best else { return (c, r) }
        return b.m >= 0 ? (c, b.m) : (stored[b.j].label, -b.m)
    }

    @Test(arguments: [2, 3])
    func differentLabelsNeverOverlap(classes: Int) throws {
        var rng = SplitMix64(seed: UInt64(100 + classes))
        let D = 8
        let idx = RegionIndex(dimension: D)
        var stored: [IndexedRegion] = []
        var seen: [String: Int] = [:]
        for i in 0..<400 {
            // Points in [0,1]^8 are ~1.1 apart; radii up to 1.5 make many conflicts, and clusters
            // (every fourth input near an earlier one) make containments frequent.
            var x = (0..<D).map { _ in Float.random(in: 0...1, using: &rng) }
            if i % 4 == 3, let anchor = stored.randomElement(using: &rng) {
                x = anchor.input.map { $0 + Float.random(in: -0.1...0.1, using: &rng) }
            }
            let c = Int.random(in: 0..<classes, using: &rng)
            let r = Double.random(in: -0.3...1.5, using: &rng)
            let d = try StorageUpdate.decide(input: x, label: c, radius: r, index: idx)
            let want = Self.reference(x, c, r, stored)
            #expect(d.label == want.0 && d.radius == want.1, "input \(i)")
            #expect(d.radius >= 0)
            if case .trimmed = d.outcome { #expect(d.radius <= max(r, 0)) }
            seen[d.region.status, default: 0] += 1
            let s = IndexedRegion(sha256: "\(i)", label: d.label, radius: d.radius, input: x)
            idx.append(s); stored.append(s)
        }
        #expect(Set(seen.keys) == ["stored", "trimmed", "aligned"])
        print("storage update, \(classes) classes:", seen.sorted { $0.key < $1.key })
        var violations = 0
        for i in stored.indices {
            for j in 0..<i where stored[i].label != stored[j].label {
                let dist = naiveDistance(stored[i].input, stored[j].input)
                if dist < stored[i].radius + stored[j].radius - 1e-9 { violations += 1 }
            }
        }
        #expect(violations == 0)
    }

    @Test func decisionsAtTheBoundaryFollowTheExactDistance() throws {
        // Radii within a few ulps of touching: the float64 screen alone could go either way here.
        var rng = SplitMix64(seed: 11)
        let D = 784
        var outcomes: Set<String> = []
        for trial in 0..<40 {
            let a = (0..<D).map { _ in Float.random(in: 0...1, using: &rng) }
            let x = (0..<D).map { _ in Float.random(in: 0...1, using: &rng) }
            let stored = [IndexedRegion(sha256: "a", label: 1, radius: 0.3, input: a)]
            let idx = RegionIndex(dimension: D, regions: stored)
            var r = naiveDistance(x, a) - 0.3
            for _ in 0..<(trial % 5) { r = r.nextDown }
            for _ in 0..<4 {
                let d = try StorageUpdate.decide(input: x, label: 0, radius: r, index: idx)
                let want = Self.reference(x, 0, r, stored)
                #expect(d.label == want.0 && d.radius == want.1, "trial \(trial)")
                outcomes.insert(d.region.status)
                r = r.nextUp
            }
        }
        #expect(outcomes == ["stored", "trimmed"])
    }

    @Test func tenThousandRegionsOfMNISTSize() throws {
        var rng = SplitMix64(seed: 3)
        let D = 784, n = 10_000
        let start = Date()
        let idx = RegionIndex(dimension: D)
        for i in 0..<n {
            let v = (0..<D).map { _ in Float(rng.next() >> 40) / Float(1 << 24) }
            idx.append(IndexedRegion(sha256: "\(i)", label: i % 2, radius: 0.5, input: v))
        }
        let built = Date()
        let x = (0..<D).map { _ in Float(rng.next() >> 40) / Float(1 << 24) }
        let t0 = Date()
        let d = try idx.distances(to: x)
        let t1 = Date()
        let decision = try StorageUpdate.decide(input: x, label: 0, radius: 1, index: idx)
        let t2 = Date()
        #expect(d.count == n)
        print(
            String(
                format: "RegionIndex n=%d D=%d: build %.2f s, distances %.2f ms, decide %.2f ms (%@)",
                n, D, built.timeIntervalSince(start), t1.timeIntervalSince(t0) * 1e3,
                t2.timeIntervalSince(t1) * 1e3, decision.region.status))
    }
}
