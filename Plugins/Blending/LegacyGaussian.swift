import Glibc  // maths

/// numpy's legacy standard normal (`legacy_gauss`): the Marsaglia polar method, which makes
/// two values per accepted pair and hands out the cached second one on the next call.
struct LegacyGaussian {
    private var generator: MT19937
    private var cached: Double?

    init(seed: UInt32) { generator = MT19937(seed: seed) }

    mutating func next() -> Double {
        if let value = cached {
            cached = nil
            return value
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * generator.nextDouble() - 1.0
            x2 = 2.0 * generator.nextDouble() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        // Same expression order as numpy so the rounding matches.
        let f = sqrt(-2.0 * log(r2) / r2)
        cached = f * x1
        return f * x2
    }
}
