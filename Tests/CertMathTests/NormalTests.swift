import Foundation
import Testing

@testable import CertMath

@Suite struct NormalTests {
    @Test func designCheckValue() {
        // METHOD.md §2.4: PhiInv(0.98) = 2.0537489
        #expect(abs(Normal.quantile(0.98) - 2.0537489) < 1e-7)
    }

    // Reference quantiles from an independent implementation (Cephes ndtri):
    // python3 -c "
    // from scipy.special import ndtri
    // for s in ['1e-300','1e-100','1e-12','1e-9','1e-6','1e-3','0.025','0.1','0.3','0.5','0.7','0.9','0.975','0.98','0.999','1-1e-6','1-1e-9','1-1e-12']: print(s, repr(float(ndtri(eval(s)))))"
    // (scipy 1.17.1). Note 1-1e-6 is the double nearest to it, hence the asymmetric digits.
    static let scipyQuantiles: [(p: Double, x: Double)] = [
        (1e-300, -37.0470962993612),
        (1e-100, -21.273453560965322),
        (1e-12, -7.034483825301131),
        (1e-9, -5.9978070150076865),
        (1e-6, -4.753424308822899),
        (1e-3, -3.090232306167813),
        (0.025, -1.9599639845400545),
        (0.1, -1.2815515655446004),
        (0.3, -0.5244005127080409),
        (0.5, 0.0),
        (0.7, 0.5244005127080407),
        (0.9, 1.2815515655446004),
        (0.975, 1.959963984540054),
        (0.98, 2.0537489106318225),
        (0.999, 3.090232306167813),
        (1 - 1e-6, 4.753424308817087),
        (1 - 1e-9, 5.997807019601637),
        (1 - 1e-12, 7.0344869100478356),
    ]

    @Test(arguments: scipyQuantiles)
    func matchesScipy(_ ref: (p: Double, x: Double)) {
        #expect(
            relativelyClose(Normal.quantile(ref.p), ref.x, 1e-13),
            "p=\(ref.p): \(Normal.quantile(ref.p)) vs \(ref.x)")
    }

    @Test func lowerTailRoundTrip() {
        for p in logGrid(from: -12, to: log10(0.5), count: 400) {
            let back = Normal.cdf(Normal.quantile(p))
            #expect(relativelyClose(back, p, 1e-12), "p=\(p): cdf(quantile(p))=\(back)")
        }
    }

    @Test func upperTailRoundTripInComplementaryForm() {
        // p = 1 - t; compare P(Z > x) with 1 - p (exact for p >= 0.5), never 1 - cdf.
        for t in logGrid(from: -12, to: log10(0.5), count: 400) {
            let p = 1 - t
            let tail = Normal.complementaryCDF(Normal.quantile(p))
            #expect(relativelyClose(tail, 1 - p, 1e-12), "p=1-\(t): tail=\(tail)")
        }
    }

    @Test func symmetric() {
        for t in logGrid(from: -12, to: -0.31, count: 50) {
            // q rounds, but 1 - q is then exact: PhiInv(q) = -PhiInv(1 - q).
            let q = 1 - t
            #expect(relativelyClose(Normal.quantile(q), -Normal.quantile(1 - q), 1e-13))
        }
    }

    @Test func asWichuraWithoutRefinement() {
        // AS241 alone is already ~1e-16 relative; the Halley step must not move it far.
        for p in [1e-10, 0.01, 0.2, 0.6, 0.99] {
            #expect(relativelyClose(AS241.ppnd16(p), Normal.quantile(p), 1e-14))
        }
    }

    @Test func edges() {
        #expect(Normal.quantile(0) == -.infinity)
        #expect(Normal.quantile(1) == .infinity)
        #expect(Normal.quantile(-0.1).isNaN)
        #expect(Normal.quantile(1.1).isNaN)
        #expect(Normal.quantile(.nan).isNaN)
        #expect(Normal.quantile(0.5) == 0)
        #expect(Normal.cdf(0) == 0.5)
        #expect(Normal.cdf(-.infinity) == 0)
        #expect(Normal.cdf(.infinity) == 1)
    }

    @Test func cdfKnownValues() {
        // Phi(1.959963984540054) = 0.975; Phi(-8) = 6.22096057427174e-16
        // (python3 -c "from scipy.special import ndtr; print(repr(float(ndtr(-8))))")
        #expect(relativelyClose(Normal.cdf(1.959963984540054), 0.975, 1e-15))
        #expect(relativelyClose(Normal.cdf(-8), 6.22096057427174e-16, 1e-13))
        #expect(relativelyClose(Normal.complementaryCDF(8), 6.22096057427174e-16, 1e-13))
    }
}
