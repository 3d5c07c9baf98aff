import CertMath
import Testing

/// A bound that cannot be computed abstains: found by the certify fuzz target, an alpha so small
/// that halving it gives 0 (5e-324, the least double; the config accepts any alpha in (0, 1)) made
/// Hoeffding's runner-up margin NaN, and the certificate's bounds, margin and radius with it.
@Suite struct CertificateFailClosedTests {
    @Test(arguments: BoundKind.allCases)
    func anAlphaThatHalvesToZeroGivesAFiniteAbstention(_ bound: BoundKind) {
        let input = CertificateInput(
            meanScores: [0.9, 0.05, 0.05], votes: [7, 0, 0], sigma: 0.5, alpha: 5e-324, bound: bound, label: 0,
            modelScores: Array(repeating: [0.9, 0.05, 0.05], count: 7).flatMap { $0 })
        let c = Certificate.compute(input)
        let numbers = [c.pALower, c.pBUpper, c.margin, c.radius]
        #expect(numbers.allSatisfy { $0.isFinite }, "\(c)")
        #expect(c.certified == (c.radius > 0))
        #expect(!c.certified, "no confidence at alpha 5e-324 with 7 models: \(c)")
    }

    @Test(arguments: BoundKind.allCases)
    func theSigmaSearchsPredictionAtSuchAnAlphaIsZeroNotNaN(_ bound: BoundKind) {
        let predicted = Certificate.predictedLowerBound(bound, sample: [0.9, 0.8], n: 7, alpha: 5e-324)
        #expect(!predicted.isNaN && predicted < 0.01, "\(predicted)")
    }
}
