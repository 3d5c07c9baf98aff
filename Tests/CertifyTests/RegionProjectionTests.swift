import CertMath
import Testing

@testable import Certify

@Suite struct RegionProjectionTests {
    private func gram(_ p: RegionProjection) -> [[Double]] {
        (0..<p.rank).map { i in
            (0..<p.rank).map { j in
                (0..<p.dimension).reduce(0.0) { $0 + Double(p.basis[i * p.dimension + $1]) * Double(p.basis[j * p.dimension + $1]) }
            }
        }
    }

    /// A sample of rank 3 in 200 dimensions: the fit keeps those 3 directions and fills the
    /// other 29 with orthonormal ones (rounding noise left in a column is not orthogonal to anything).
    @Test func aRankDeficientSampleStillGivesAnOrthonormalBasis() {
        var rng = SplitMix64(seed: 3)
        let D = 200, n = 50
        var rows: [Float] = []
        for _ in 0..<n {
            let a = Float(rng.next() >> 40) / Float(1 << 24), b = Float(rng.next() >> 40) / Float(1 << 24)
            rows += (0..<D).map { t in t % 3 == 0 ? a : (t % 3 == 1 ? b : a - b) }
        }
        let p = RegionProjection.fitted(rows: rows, count: n, dimension: D, seed: 1, fittedOn: n)
        #expect(p.rank == 32)
        for (i, row) in gram(p).enumerated() { for (j, g) in row.enumerated() { #expect(abs(g - (i == j ? 1 : 0)) < 1e-6) } }
        #expect(p.scale > 0.99999 && p.scale < 1)
    }

    /// `scale` bounds 1/σ_max for whatever rows it is given, orthonormal or not.
    @Test func scaleIsAProvenBoundEvenForABadBasis() {
        var rng = SplitMix64(seed: 8)
        let D = 30, k = 6
        let basis = (0..<(k * D)).map { _ in Float(Double(rng.next() >> 11) * 0x1p-53 - 0.3) }
        let p = RegionProjection(dimension: D, rank: k, seed: 0, fittedOn: 0, basis: basis)
        for _ in 0..<2000 {
            let v = (0..<D).map { _ in Double(rng.next() >> 11) * 0x1p-53 - 0.5 }
            let bv = (0..<k).map { i in (0..<D).reduce(0.0) { $0 + Double(basis[i * D + $1]) * v[$1] } }
            let nb = bv.reduce(0) { $0 + $1 * $1 }.squareRoot(), nv = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(p.scale * nb <= nv)
        }
        #expect(p.scale < 0.9)
    }

    @Test func randomDirectionsAreOrthonormalAndSeeded() {
        let a = RegionProjection.random(dimension: 50, seed: 4), b = RegionProjection.random(dimension: 50, seed: 4)
        #expect(a.basis == b.basis && a.seed == 4 && a.fittedOn == 0)
        for (i, row) in gram(a).enumerated() { for (j, g) in row.enumerated() { #expect(abs(g - (i == j ? 1 : 0)) < 1e-6) } }
        #expect(RegionProjection.random(dimension: 5).rank == 5)
        #expect(RegionProjection.samplePositions(count: 10) == Array(0..<10))
        let s = RegionProjection.samplePositions(count: 100_000)
        #expect(s.count == RegionProjection.sampleSize && s == s.sorted() && Set(s).count == s.count)
    }
}
