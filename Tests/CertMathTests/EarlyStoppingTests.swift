import CertMath
import CertTestSupport
import Foundation
import Testing

/// The early-stopping rule keeps its alpha at the stopping time (a seeded simulation), and
/// the same harness catches a bound that does not: Hoeffding's fixed-N bound re-checked
/// after every block. `CERTSSB_STOPPING_SEQUENCES=100000` runs the long form.
@Suite(.blockingWork) struct EarlyStoppingTests {
    static let alpha = 0.05
    static var sequences: Int {
        ProcessInfo.processInfo.environment["CERTSSB_STOPPING_SEQUENCES"].flatMap(Int.init) ?? 20_000
    }

    /// Known-mean score distributions: Bernoulli(p) and Beta(a, b) (mean a/(a+b)).
    enum Source: CustomStringConvertible {
        case bernoulli(Double)
        case beta(Int, Int)
        var mean: Double {
            switch self {
            case let .bernoulli(p): return p
            case let .beta(a, b): return Double(a) / Double(a + b)
            }
        }
        func draw(_ rng: inout BettingTestRNG) -> Double {
            switch self {
            case let .bernoulli(p): return rng.bernoulli(p)
            case let .beta(a, b): return rng.beta(a, b)
            }
        }
        var description: String {
            switch self {
            case let .bernoulli(p): return "Bernoulli(\(p))"
            case let .beta(a, b): return "Beta(\(a),\(b))"
            }
        }
    }

    static let sources: [Source] = [
        .bernoulli(0.5), .bernoulli(0.7), .bernoulli(0.9), .bernoulli(0.97),
        .beta(2, 2), .beta(1, 3), .beta(9, 1), .beta(19, 1),
    ]

    static func limit(_ n: Int) -> Double { alpha + 3 * (alpha * (1 - alpha) / Double(n)).squareRoot() }

    /// Up to 256 models in blocks of 16, the threshold at the true mean (the hardest case:
    /// stopping "certified" there is exactly a miss). A miss: L > mean at the stopping time.
    @Test func missRateAtTheStoppingTimeStaysBelowAlpha() {
        let perSource = Self.sequences / Self.sources.count
        var misses = 0, total = 0, stoppedEarly = 0
        for (s, source) in Self.sources.enumerated() {
            var rng = BettingTestRNG(seed: 0xE5 &+ UInt64(s))
            for _ in 0..<perSource {
                var rule = EarlyStopping(alpha: Self.alpha, threshold: source.mean)
                var t = 0
                while t < 256 {
                    for _ in 0..<16 { rule.observe(source.draw(&rng)) }
                    t += 16
                    if rule.decided { break }
                }
                if t < 256 { stoppedEarly += 1 }
                if rule.lower.lower > source.mean { misses += 1 }
                total += 1
            }
        }
        let rate = Double(misses) / Double(total)
        print(
            String(
                format: "early stopping, betting bound: %d of %d sequences missed (%.4f, limit %.4f); %d stopped early", misses, total,
                rate, Self.limit(total), stoppedEarly))
        #expect(rate <= Self.limit(total))
        #expect(stoppedEarly > 0, "the rule must stop some sequences early, or the test tests nothing")
    }

    /// The negative control: the same harness with Hoeffding's fixed-N bound re-checked after
    /// every block (of one observation, over 2048): it misses clearly more often than alpha.
    @Test func hoeffdingRecheckedAfterEveryBlockMissesMoreThanAlpha() {
        let n = max(2000, Self.sequences / 10)
        var rng = BettingTestRNG(seed: 0xC0)
        var misses = 0
        let logTerm = log(1 / Self.alpha) / 2
        for _ in 0..<n {
            var sum = 0.0
            for t in 1...2048 {
                sum += rng.bernoulli(0.5)
                if sum / Double(t) - (logTerm / Double(t)).squareRoot() > 0.5 { misses += 1; break }
            }
        }
        let rate = Double(misses) / Double(n)
        print(String(format: "negative control, Hoeffding re-checked: %d of %d missed (%.4f, limit %.4f)", misses, n, rate, Self.limit(n)))
        #expect(rate > Self.limit(n) + 0.02, "Hoeffding peeking should miss clearly more than alpha")
    }

    @Test func thresholdIsThePhiOfTheTargetOverSigma() {
        #expect(abs(EarlyStopping.threshold(targetRadius: 1, sigma: 1) - 0.8413447460685429) < 1e-12)  // scipy norm.cdf(1)
        #expect(EarlyStopping.threshold(targetRadius: 0, sigma: 0.5) == 0.5)
    }
}
