import CertMath
import Foundation
import Testing

@Suite struct CertificateTests {
    /// A binary input where `top` models out of `n` vote class 1.
    func binary(
        pA: Double, n: Int = 1000, top: Int? = nil, sigma: Double = 0.12,
        alpha: Double = 0.001, bound: BoundKind = .hoeffding
    ) -> CertificateInput {
        let k = top ?? n
        return CertificateInput(
            meanScores: [1 - pA, pA], votes: [n - k, k],
            sigma: sigma, alpha: alpha, bound: bound)
    }

    @Test func handWorkedHoeffding() {
        // pA = 0.98, N = 1000, sigma = 0.12, alpha = 0.001.
        // h = sqrt(ln(1000) / 2000); M = 0.5 * (PhiInv(0.98 - h) - PhiInv(0.02 + h)), by scipy:
        // python3 -c "import math; from scipy.special import ndtri; h=math.sqrt(math.log(1/0.001)/(2*1000)); print(repr(float(0.5*(ndtri(0.98-h)-ndtri(0.02+h)))))"
        //   -> 1.4133957313260823
        let c = Certificate.compute(binary(pA: 0.98))
        let h = (log(1000.0) / 2000).squareRoot()
        #expect(c.label == 1)
        #expect(c.bound == .hoeffding)
        #expect(c.nModels == 1000)
        #expect(c.alpha == 0.001)
        #expect(abs(c.pALower - (0.98 - h)) < 1e-15)
        #expect(abs(c.pBUpper - (0.02 + h)) < 1e-15)
        #expect(relativelyClose(c.margin, 1.4133957313260823, 1e-12))
        #expect(relativelyClose(c.radius, 0.12 * 1.4133957313260823, 1e-12))
        #expect(c.certified)
        // Expected: PhiInv(0.98) = 2.0537489106318225 (scipy ndtri); pB = 1 - 0.98 rounds, hence 1e-12.
        #expect(relativelyClose(c.marginExpected, 2.0537489106318225, 1e-12))
        #expect(relativelyClose(c.radiusExpected, 0.12 * 2.0537489106318225, 1e-12))
    }

    @Test func unanimousScoresGiveDesignCheckValue() {
        // pA = 1, pB = 0: M = PhiInv(1 - h) = 1.5651856 (METHOD.md §2.4).
        let c = Certificate.compute(binary(pA: 1.0))
        #expect(abs(c.margin - 1.5651856) < 1e-7)
        #expect(abs(c.radius - 0.12 * 1.5651855869435676) < 1e-12)
    }

    @Test func tiesGoToLabelZero() {
        let input = CertificateInput(meanScores: [0.5, 0.5], votes: [500, 500], sigma: 0.25)
        for bound in BoundKind.allCases {
            var i = input
            i.bound = bound
            let c = Certificate.compute(i)
            #expect(c.label == 0, "\(bound)")
            #expect(!c.certified)
            #expect(c.radius < 0)  // raw value kept, not clipped to 0
            #expect(c.radiusExpected == 0)
        }
    }

    @Test func threeClassesUseTopTwo() {
        // scipy: ndtri(0.3) = -0.5244005127080409, ndtri(0.5) = 0
        let input = CertificateInput(meanScores: [0.2, 0.5, 0.3], votes: [100, 700, 200], sigma: 1)
        let c = Certificate.compute(input)
        #expect(c.label == 1)
        #expect(c.pA == 0.5 && c.pB == 0.3)
        #expect(relativelyClose(c.marginExpected, 0.5 * 0.5244005127080409, 1e-12))
        // Three classes: the label and the runner-up each bounded at alpha/2 (union bound).
        let h = Hoeffding.margin(n: 1000, alpha: 0.0005)
        #expect(c.pALower == 0.5 - h && c.pBUpper == 0.3 + h)

        var cp = input
        cp.bound = .clopperPearson
        let v = Certificate.compute(cp)
        #expect(v.label == 1)
        #expect(v.pA == 0.7 && v.pB == 0.2)  // vote shares, runner-up is class 2
        #expect(v.pALower == ClopperPearson.lower(successes: 700, trials: 1000, alpha: 0.001))
        #expect(v.pBUpper == 1 - v.pALower)
    }

    @Test func clampsAtOneInAHundredMillion() {
        // One model: h(1, 0.001) ~ 1.86 pushes both bounds past [0, 1].
        let c = Certificate.compute(binary(pA: 0.9, n: 1))
        #expect(c.pALower == 1e-8)
        #expect(c.pBUpper == 1 - 1e-8)
        #expect(c.margin.isFinite && c.margin < 0)
        // Scores of exactly 1 and 0: expected margin = PhiInv(1 - 1e-8) ~ 5.612 (scipy
        // ndtri(1-1e-8) = 5.612001243305505, ndtri(1e-8) = -5.612001244174789).
        let e = Certificate.compute(binary(pA: 1.0))
        #expect(relativelyClose(e.marginExpected, 0.5 * (5.612001243305505 + 5.612001244174789), 1e-12))
        // alpha = 1 means h = 0, so only the clamp keeps pA_low below 1.
        let z = Certificate.compute(binary(pA: 1.0, alpha: 1))
        // Binary: pB_up = 1 - pA_low (clamped), one ulp-scale rounding away from 1e-8.
        #expect(z.pALower == 1 - 1e-8 && abs(z.pBUpper - 1e-8) < 1e-15)
    }

    @Test func allAgreeVotesClopperPearson() {
        // All 1000 models vote 1: pA_low = alpha^(1/N); R = sigma * PhiInv(pA_low).
        // scipy: ndtri(0.001**(1/1000)) = 2.4632626147808114
        let c = Certificate.compute(binary(pA: 0.9, top: 1000, bound: .clopperPearson))
        #expect(c.label == 1)
        #expect(c.bound == .clopperPearson)
        #expect(relativelyClose(c.pALower, pow(0.001, 1.0 / 1000), 1e-12))
        #expect(c.pA == 1 && c.pB == 0)
        #expect(relativelyClose(c.margin, 2.4632626147808114, 1e-10))
        #expect(relativelyClose(c.radius, 0.12 * 2.4632626147808114, 1e-10))
        // Expected values still come from the soft scores.
        #expect(relativelyClose(c.marginExpected, 0.5 * (Normal.quantile(0.9) - Normal.quantile(1 - 0.9)), 1e-15))

        let zero = Certificate.compute(
            CertificateInput(
                meanScores: [0.95, 0.05], votes: [1000, 0],
                sigma: 0.5, bound: .clopperPearson))
        #expect(zero.label == 0 && zero.certified)
    }

    @Test func bestPicksLargerRadiusWithHalfAlpha() {
        // Confident votes, soft scores: Clopper–Pearson wins.
        let cpWins = binary(pA: 0.7, top: 1000, alpha: 0.001, bound: .best)
        // Confident soft scores, split votes: Hoeffding wins.
        let hWins = binary(pA: 0.98, top: 600, alpha: 0.001, bound: .best)

        for (input, expected) in [(cpWins, BoundKind.clopperPearson), (hWins, .hoeffding)] {
            let best = Certificate.compute(input)
            var h = input; h.bound = .hoeffding; h.alpha = input.alpha / 2
            var c = input; c.bound = .clopperPearson; c.alpha = input.alpha / 2
            let hc = Certificate.compute(h), cc = Certificate.compute(c)
            #expect(best.bound == expected)
            #expect(best.radius == max(hc.radius, cc.radius))
            #expect(best.alpha == input.alpha)  // reports the total alpha
            // Each side was run at alpha/2: compare with the primitives directly.
            let n = input.nModels
            let halfH = Hoeffding.margin(n: n, alpha: 0.0005)
            #expect(hc.pALower == input.meanScores[1] - halfH)
            #expect(cc.pALower == ClopperPearson.lower(successes: input.votes[1], trials: n, alpha: 0.0005))
            let winner = expected == .hoeffding ? hc : cc
            #expect(best.pALower == winner.pALower && best.pBUpper == winner.pBUpper)
            // alpha/2 costs radius compared with the single bound at full alpha.
            var full = input; full.bound = expected
            #expect(Certificate.compute(full).radius > best.radius)
        }
    }

    @Test func certifiedAtRadiusIsStrict() {
        let c = Certificate.compute(binary(pA: 0.98))
        #expect(!c.isCertified(atRadius: c.radius))
        #expect(c.isCertified(atRadius: c.radius.nextDown))
        #expect(c.isCertified(atRadius: 0))
        #expect(!c.isCertified(atRadius: 0.25))
        // Expected radius 0 exactly is not certified either (ties).
        let tie = Certificate.compute(CertificateInput(meanScores: [0.5, 0.5], votes: [0, 2], sigma: 1))
        #expect(tie.radiusExpected == 0 && !tie.isCertified(atRadius: 0))
    }

    @Test func nModelsIsTheNumberOfVotes() {
        let input = CertificateInput(meanScores: [0.1, 0.9], votes: [13, 87], sigma: 0.3)
        #expect(input.nModels == 100)
        let c = Certificate.compute(input)
        #expect(c.nModels == 100)
        #expect(c.pALower == 0.9 - Hoeffding.margin(n: 100, alpha: 0.001))
    }

    @Test func codableRoundTrip() throws {
        let c = Certificate.compute(binary(pA: 0.8, top: 990, bound: .best))
        let data = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(Certificate.self, from: data) == c)
        #expect(String(decoding: try JSONEncoder().encode(BoundKind.clopperPearson), as: UTF8.self) == "\"clopper-pearson\"")
    }
}
