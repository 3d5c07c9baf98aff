import CertCore
import Foundation
import Testing

@Suite struct NoiseTests {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    @Test func philoxMatchesRandom123KnownAnswers() {
        let zero = Philox4x32(key0: 0, key1: 0).block((0, 0, 0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox4x32(key0: 0xffff_ffff, key1: 0xffff_ffff).block((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox4x32(key0: 0xa409_3822, key1: 0x299f_31d0).block((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    @Test func drawsDependOnlyOnSeedStreamAndPosition() {
        let g = GaussianNoise(seed: 2_598_209_259)
        let all = g.draws(count: 1000)
        // Any window, computed on its own, equals the same positions of the full draw.
        for (start, count) in [(0, 1), (3, 5), (4, 4), (997, 3), (123, 456)] {
            #expect(g.draws(count: count, start: start) == Array(all[start..<(start + count)]))
        }
        #expect(GaussianNoise(seed: 2_598_209_259).draws(count: 1000) == all)
        #expect(GaussianNoise(seed: 2_598_209_260).draws(count: 8) != Array(all[0..<8]))
        #expect(GaussianNoise(seed: 2_598_209_259, stream: 1).draws(count: 8) != Array(all[0..<8]))
    }

    @Test func drawsAreTheSameOnEveryThread() async {
        let reference = GaussianNoise(seed: 77).draws(count: 4096)
        let results = await withTaskGroup(of: [Float].self) { group in
            for _ in 0..<4 { group.addTask { GaussianNoise(seed: 77).draws(count: 4096) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 == reference })
    }

    /// 10^6 draws: mean within 3 standard errors of 0 (SE = 1/√n), variance within 3 SE of 1
    /// (SE of the sample variance of a normal = √(2/(n-1))); plus a tail check.
    @Test func momentsOfAMillionDrawsAreStandardNormal() {
        let n = 1_000_000
        let x = GaussianNoise(seed: 12345).draws(count: n)
        var sum = 0.0, sumSq = 0.0, beyond2 = 0
        for v in x { let d = Double(v); sum += d; sumSq += d * d; if abs(d) > 2 { beyond2 += 1 } }
        let mean = sum / Double(n)
        let variance = (sumSq - Double(n) * mean * mean) / Double(n - 1)
        #expect(abs(mean) < 3 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 3 * (2 / Double(n - 1)).squareRoot())
        // P(|Z| > 2) = 0.0455003; binomial SE at n = 10^6 is 2.08e-4.
        #expect(abs(Double(beyond2) / Double(n) - 0.0455003) < 3 * 2.08e-4)
    }

    @Test func modelTestNoiseIsTheSameForEveryWorkerCount() throws {
        let (ensemble, _) = try TestSupport.ensemble(.mnistCNN, count: 3)
        let fresh = try TestSupport.ensemble(.mnistCNN, count: 3).0
        for m in 0..<3 { #expect(ensemble.models[m].testNoise(count: 784) == fresh.models[m].testNoise(count: 784)) }
        #expect(ensemble.models[0].testNoise(count: 784) != ensemble.models[1].testNoise(count: 784))
    }
}
