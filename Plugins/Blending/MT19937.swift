// The 32-bit Mersenne Twister (Matsumoto & Nishimura, 1998), as numpy's legacy RandomState
// runs it, so the blending pattern is bit-for-bit numpy's `RandomState(seed).randn`.
struct MT19937 {
    private static let n = 624
    private static let m = 397
    private var state = [UInt32](repeating: 0, count: MT19937.n)
    private var index = MT19937.n

    /// `init_genrand`: what numpy's legacy seeding does for a scalar integer seed.
    init(seed: UInt32) {
        state[0] = seed
        for i in 1..<Self.n {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        index = Self.n
    }

    mutating func next() -> UInt32 {
        if index >= Self.n { twist() }
        var y = state[index]
        index += 1
        // Tempering.
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// numpy's `legacy_double`: 53 random bits from two draws (27 + 26), in [0, 1).
    mutating func nextDouble() -> Double {
        let a = Double(next() >> 5), b = Double(next() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    private mutating func twist() {
        let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7FFF_FFFF
        for i in 0..<Self.n {
            let y = (state[i] & upper) | (state[(i + 1) % Self.n] & lower)
            var value = state[(i + Self.m) % Self.n] ^ (y >> 1)
            if y & 1 != 0 { value ^= 0x9908_B0DF }
            state[i] = value
        }
        index = 0
    }
}
