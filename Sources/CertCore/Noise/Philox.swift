/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11):
/// a counter-based generator. Output block c is a pure function of (key, c), so any draw
/// can be recomputed from its position alone — the same on every run, thread and batch.
public struct Philox4x32: Sendable, Hashable {
    /// The two 32-bit key words; each round adds the Weyl constants to them.
    public var key: (UInt32, UInt32)

    /// A generator with key (key0, key1).
    public init(key0: UInt32, key1: UInt32) { key = (key0, key1) }

    /// Equal keys give equal generators.
    public static func == (a: Self, b: Self) -> Bool { a.key == b.key }
    /// Hashes the key.
    public func hash(into h: inout Hasher) { h.combine(key.0); h.combine(key.1) }

    private static let m0: UInt64 = 0xD251_1F53, m1: UInt64 = 0xCD9E_8D57
    private static let w0: UInt32 = 0x9E37_79B9, w1: UInt32 = 0xBB67_AE85

    /// The 4 words of block `counter` (a 128-bit counter as four 32-bit words).
    @inline(__always)
    public func block(_ counter: (UInt32, UInt32, UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 { k0 &+= Self.w0; k1 &+= Self.w1 }
            let p0 = Self.m0 &* UInt64(c0), p1 = Self.m1 &* UInt64(c2)
            (c0, c1, c2, c3) = (
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0, UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1, UInt32(truncatingIfNeeded: p0)
            )
        }
        return (c0, c1, c2, c3)
    }
}
