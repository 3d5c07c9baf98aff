import CertEval
import Testing

/// The step curve is the table's Cert acc at every radius, not only at eleven.
@Suite struct StepCurveTests {
    /// A naive count: the definition, record by record.
    static func naive(_ records: [EvalRecord], _ r: Double) -> Double {
        records.isEmpty ? 0 : Double(records.filter { $0.label == $0.expected && $0.radius > r }.count) / Double(records.count)
    }

    /// Seeded records with ties, zeros, negatives (abstentions) and wrong labels.
    static func records(seed: UInt64, count: Int) -> [EvalRecord] {
        var state = seed
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        return (0..<count).map { _ in
            let kind = next() % 10
            let radius: Double = kind == 0 ? 0 : kind == 1 ? -1 : kind == 2 ? 0.25 : Double(next() % 1000) / 400
            return EvalRecord(
                label: Int(next() % 2), expected: next() % 4 == 0 ? 1 : Int(next() % 2), radius: radius, radiusExpected: radius, sigma: 0.12
            )
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func equalsANaiveCountAtEveryRadius(seed: UInt64) {
        let records = Self.records(seed: seed, count: 300)
        let curve = StepCurve.certifiedAccuracy(records, name: "x")
        var probes = [0.0, 1e-12, 10, .infinity] + stride(from: 0.0, through: 3, by: 0.001).map { $0 }
        for r in records.map(\.radius) where r >= 0 { probes += [r, r.nextUp, r.nextDown > 0 ? r.nextDown : 0] }
        for r in probes {
            #expect(curve.value(at: r) == Self.naive(records, r), "r = \(r)")
        }
        // The knots are exactly the radii where the count changes: no more, no fewer.
        let correct = Set(records.filter { $0.label == $0.expected && $0.radius > 0 }.map(\.radius))
        #expect(curve.knots == [0] + correct.sorted())
        #expect(zip(curve.values, curve.values.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test func matchesThePaperTableAtItsRadii() {
        let benign = Self.records(seed: 9, count: 200), wm = Self.records(seed: 10, count: 200)
        let table = PaperTable(method: "x", benign: benign, watermarked: wm)
        let acc = StepCurve.certifiedAccuracy(benign, name: "a"), wmAcc = StepCurve.certifiedAccuracy(wm, name: "w")
        #expect(table.radii.map { acc.value(at: $0) } == table.certAcc)
        #expect(table.radii.map { wmAcc.value(at: $0) } == table.certWmAcc)
        let expected = StepCurve.certifiedAccuracy(benign, name: "e", radius: \.radiusExpected)
        #expect(table.radii.map { expected.value(at: $0) } == table.expectedCertAcc)
    }

    /// All certified at 0.093: 1 up to and including r < 0.093, 0 from 0.093 on (strict R > r).
    @Test func aSingleStepDropsAtItsRadius() {
        let records = (0..<10).map { _ in EvalRecord(label: 1, expected: 1, radius: 0.093, radiusExpected: 0.1, sigma: 1.25) }
        let curve = StepCurve.certifiedAccuracy(records, name: "x")
        #expect(curve.knots == [0, 0.093] && curve.values == [1, 0])
        #expect(curve.value(at: 0.093.nextDown) == 1 && curve.value(at: 0.093) == 0)
    }

    @Test func noRecordsIsZeroAndNaNNeverCounts() {
        #expect(StepCurve.certifiedAccuracy([], name: "x").values == [0])
        let curve = StepCurve.certifiedAccuracy([EvalRecord(label: 0, expected: 0, radius: .nan, radiusExpected: 0, sigma: 1)], name: "x")
        #expect(curve.knots == [0] && curve.values == [0])
    }
}
