import CertMath
import Foundation
import Testing

@Suite struct ClopperPearsonTests {
    @Test func allSuccessesClosedForm() {
        // k = n: P(all n succeed) = p^n = alpha at the bound, so lower = alpha^(1/n).
        for n in [1, 7, 100, 1000, 100_000] {
            for alpha in [0.001, 0.0005, 0.05] {
                let got = ClopperPearson.lower(successes: n, trials: n, alpha: alpha)
                #expect(relativelyClose(got, pow(alpha, 1 / Double(n)), 1e-12), "n=\(n) alpha=\(alpha)")
            }
        }
    }

    @Test func noSuccessesClosedForm() {
        // k = 0: upper = 1 - alpha^(1/n).
        for n in [1, 7, 100, 1000, 100_000] {
            for alpha in [0.001, 0.0005, 0.05] {
                let got = ClopperPearson.upper(successes: 0, trials: n, alpha: alpha)
                #expect(relativelyClose(got, -expm1(log(alpha) / Double(n)), 1e-10), "n=\(n) alpha=\(alpha)")
            }
        }
    }

    // python3 -c "
    // from scipy.stats import beta
    // for a,k,n in [(0.001,1,10),(0.001,5,10),(0.001,9,10),(0.05,50,100),(0.0005,990,1000),(0.0005,1,1000),(0.001,999,1000),(0.001,500,1000),(0.01,3,100000),(0.001,99990,100000)]: print(a,k,n, repr(float(beta.ppf(a,k,n-k+1))))"
    // (scipy 1.17.1)
    static let scipyLower: [(alpha: Double, k: Int, n: Int, lower: Double)] = [
        (0.001, 1, 10, 0.00010004502852067863),
        (0.001, 5, 10, 0.08981318981185427),
        (0.001, 9, 10, 0.37627691091117454),
        (0.05, 50, 100, 0.41362171463091174),
        (0.0005, 990, 1000, 0.9749365668583673),
        (0.0005, 1, 1000, 5.001249166197902e-07),
        (0.001, 999, 1000, 0.9908045023646124),
        (0.001, 500, 1000, 0.45077105398478234),
        (0.01, 3, 100_000, 4.360485748951068e-06),
        (0.001, 99_990, 100_000, 0.9997586773435911),
    ]

    @Test(arguments: scipyLower)
    func lowerMatchesScipy(_ r: (alpha: Double, k: Int, n: Int, lower: Double)) {
        let got = ClopperPearson.lower(successes: r.k, trials: r.n, alpha: r.alpha)
        #expect(relativelyClose(got, r.lower, 1e-12), "k=\(r.k) n=\(r.n): \(got) vs \(r.lower)")
    }

    @Test(arguments: scipyLower)
    func upperIsMirroredLower(_ r: (alpha: Double, k: Int, n: Int, lower: Double)) {
        // upper(n - k failures) = 1 - lower(k successes)
        let got = ClopperPearson.upper(successes: r.n - r.k, trials: r.n, alpha: r.alpha)
        #expect(abs(got - (1 - r.lower)) < 1e-12)
    }

    @Test func bracketsTheEstimate() {
        for (k, n) in [(0, 10), (3, 10), (10, 10), (512, 1000)] {
            let lo = ClopperPearson.lower(successes: k, trials: n, alpha: 0.001)
            let hi = ClopperPearson.upper(successes: k, trials: n, alpha: 0.001)
            let phat = Double(k) / Double(n)
            #expect(lo <= phat && phat <= hi)
        }
        #expect(ClopperPearson.lower(successes: 0, trials: 10, alpha: 0.01) == 0)
        #expect(ClopperPearson.upper(successes: 10, trials: 10, alpha: 0.01) == 1)
    }

    @Test func invalid() {
        #expect(ClopperPearson.lower(successes: 1, trials: 0, alpha: 0.01).isNaN)
        #expect(ClopperPearson.lower(successes: 11, trials: 10, alpha: 0.01).isNaN)
        #expect(ClopperPearson.upper(successes: -1, trials: 10, alpha: 0.01).isNaN)
        #expect(ClopperPearson.lower(successes: 5, trials: 10, alpha: 0).isNaN)
    }
}
