import CertMath
import Foundation
import Testing

@Suite struct IncompleteBetaTests {
    // python3 -c "
    // from scipy.special import betainc
    // for a,b,x in [(0.5,0.5,0.3),(2,3,0.4),(10,20,0.5),(1000,1,0.995),(1,1000,0.001),(200.5,300.25,0.4),(5,5,0.999),(0.1,10,1e-5),(50,2,0.9),(3000,7000,0.31)]: print(a,b,x, repr(float(betainc(a,b,x))))"
    // and, for large arguments (where a naive ln B(a, b) loses ~1e-10):
    // python3 -c "
    // from scipy.special import betainc
    // for a,b,x in [(3,99998,4.360485748951068e-06),(50000,50001,0.497),(999,2,0.995),(10,10,0.2)]: print(a,b,x, repr(float(betainc(a,b,x))))"
    // (scipy 1.17.1)
    static let scipyBetainc: [(a: Double, b: Double, x: Double, i: Double)] = [
        (0.5, 0.5, 0.3, 0.36901011956554536),
        (2, 3, 0.4, 0.5247999999999999),
        (10, 20, 0.5, 0.9692858271300793),
        (1000, 1, 0.995, 0.006653968578831964),
        (1, 1000, 0.001, 0.6323045752290359),
        (200.5, 300.25, 0.4, 0.49514273933152175),
        (5, 5, 0.999, 0.9999999999998744),
        (0.1, 10, 1e-5, 0.41655822619209415),
        (50, 2, 0.9, 0.030922651243920716),
        (3000, 7000, 0.31, 0.9850563286366903),
        (3, 99_998, 4.360485748951068e-06, 0.010000000000000009),
        (50_000, 50_001, 0.497, 0.029097500484826653),
        (999, 2, 0.995, 0.04009099661316348),
        (10, 10, 0.2, 0.001579120549167105),
    ]

    @Test(arguments: scipyBetainc)
    func matchesScipy(_ r: (a: Double, b: Double, x: Double, i: Double)) {
        let got = Beta.regularizedIncomplete(a: r.a, b: r.b, x: r.x)
        #expect(relativelyClose(got, r.i, 1e-12), "I_\(r.x)(\(r.a), \(r.b)) = \(got) vs \(r.i)")
    }

    @Test func closedForms() {
        for x in [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999] {
            for s in [0.5, 1.0, 3.0, 17.0, 250.0] {
                // I_x(1, b) = 1 - (1-x)^b
                #expect(relativelyClose(Beta.regularizedIncomplete(a: 1, b: s, x: x), -expm1(s * log1p(-x)), 1e-12))
                // I_x(a, 1) = x^a
                #expect(relativelyClose(Beta.regularizedIncomplete(a: s, b: 1, x: x), pow(x, s), 1e-12))
            }
        }
    }

    @Test func symmetry() {
        for (a, b, x) in [(2.5, 7.0, 0.2), (30.0, 4.0, 0.85), (0.7, 0.3, 0.5)] {
            let sum = Beta.regularizedIncomplete(a: a, b: b, x: x) + Beta.regularizedIncomplete(a: b, b: a, x: 1 - x)
            #expect(abs(sum - 1) < 1e-14)
        }
    }

    @Test func inverseRoundTrip() {
        for (a, b) in [
            (0.5, 0.5), (1.0, 1.0), (2.0, 9.0), (1.0, 1000.0), (999.0, 2.0), (3.0, 99998.0), (0.2, 30.0),
            (100_000.0, 1.0), (50_000.0, 50_001.0),
        ] {
            for p in [1e-10, 0.0005, 0.05, 0.5, 0.95, 0.977, 0.9995] {
                let x = Beta.inverseRegularizedIncomplete(a: a, b: b, p: p)
                let back = Beta.regularizedIncomplete(a: a, b: b, x: x)
                #expect(x > 0 && x < 1)
                #expect(relativelyClose(back, p, 1e-10), "a=\(a) b=\(b) p=\(p): x=\(x) back=\(back)")
            }
        }
    }

    @Test func edges() {
        #expect(Beta.regularizedIncomplete(a: 2, b: 3, x: 0) == 0)
        #expect(Beta.regularizedIncomplete(a: 2, b: 3, x: 1) == 1)
        #expect(Beta.regularizedIncomplete(a: 0, b: 3, x: 0.5).isNaN)
        #expect(Beta.inverseRegularizedIncomplete(a: 2, b: 3, p: 0) == 0)
        #expect(Beta.inverseRegularizedIncomplete(a: 2, b: 3, p: 1) == 1)
        #expect(Beta.inverseRegularizedIncomplete(a: 2, b: 3, p: -0.1).isNaN)
        #expect(Beta.inverseRegularizedIncomplete(a: -1, b: 3, p: 0.5).isNaN)
    }
}
