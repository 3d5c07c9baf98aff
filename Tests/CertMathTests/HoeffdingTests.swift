import CertMath
import Foundation
import Testing

@Suite struct HoeffdingTests {
    @Test func designCheckValues() {
        // METHOD.md §2.4: h(1000, 0.001) = 0.0587697, PhiInv(1 - h) = 1.5651856
        let h = Hoeffding.margin(n: 1000, alpha: 0.001)
        #expect(abs(h - 0.0587697) < 1e-7)
        #expect(abs(Normal.quantile(1 - h) - 1.5651856) < 1e-7)
    }

    @Test func formula() {
        // sqrt(ln(1/alpha) / (2n)) written out by hand: ln(20) / 200
        #expect(relativelyClose(Hoeffding.margin(n: 100, alpha: 0.05), (log(20.0) / 200).squareRoot(), 1e-15))
        #expect(Hoeffding.margin(n: 5, alpha: 1) == 0)
    }

    @Test func shrinksWithMoreModels() {
        #expect(abs(Hoeffding.margin(n: 4000, alpha: 0.001) * 2 - Hoeffding.margin(n: 1000, alpha: 0.001)) < 1e-15)
    }

    @Test func invalid() {
        #expect(Hoeffding.margin(n: 0, alpha: 0.001) == .infinity)
        #expect(Hoeffding.margin(n: 10, alpha: 0).isNaN)
        #expect(Hoeffding.margin(n: 10, alpha: 1.5).isNaN)
    }
}
