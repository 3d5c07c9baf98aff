/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose every output is fixed by
/// the seed, written out here so poisoning choices reproduce across Swift versions and can
/// be recomputed elsewhere (Swift's own `random(in:using:)` mapping is not guaranteed).
/// Used for choices reproducible from one seed (poisoning, which models of a set search,
/// test fixtures); not for noise, which is Philox addressed by position (`GaussianNoise`).
///   state += 0x9E3779B97F4A7C15
///   z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9
///   z = (z ^ (z >> 27)) * 0x94D049BB133111EB
///   output z ^ (z >> 31)            (all arithmetic mod 2^64)
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The 64-bit state; the seed itself before the first `next()`.
    public private(set) var state: UInt64

    /// A generator whose whole output sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next output (the formulas above).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound without modulo bias: outputs below 2^64 mod bound are
    /// rejected, then the output mod bound is returned.
    public mutating func uniform(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        let threshold = (0 &- b) % b
        while true {
            let r = next()
            if r >= threshold { return Int(r % b) }
        }
    }

    /// The first `k` elements of a Fisher–Yates shuffle of `items`: for i in 0..<k,
    /// swap item i with item i + uniform(below: n - i). A uniform k-subset, in draw order.
    public mutating func sample<T>(_ items: [T], count k: Int) -> [T] {
        precondition(k >= 0 && k <= items.count, "cannot draw \(k) of \(items.count)")
        var pool = items
        for i in 0..<k { pool.swapAt(i, i + uniform(below: pool.count - i)) }
        return Array(pool.prefix(k))
    }
}
