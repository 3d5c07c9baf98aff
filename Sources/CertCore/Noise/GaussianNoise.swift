#if canImport(Glibc)
    import Glibc  // maths
#endif

/// Standard normal draws addressed by position: draw i of stream s under seed k is always
/// the same number. Block c of Philox (counter = (c, s)) gives four uniforms, which
/// Box–Muller turns into draws 4c…4c+3.
///
/// Streams separate the uses of one model seed: stream 0 is the model's fixed test noise
/// z_m (METHOD.md §2.3); later streams are for sigma search and training noise.
public struct GaussianNoise: Sendable {
    /// The 32-bit seed: Philox key word 0 (a model's noise seed, or a sample's search seed).
    public let seed: UInt32
    /// The stream: counter words 2 and 3, one stream per purpose (`NoiseStream`).
    public let stream: UInt64
    private let philox: Philox4x32

    /// Key word that separates certssb's draws from other users of the same 32-bit seed.
    public static let domain: UInt32 = 0x6365_7274  // "cert"
    /// Key word of the sigma search's draws: whatever a sample's seed, its search noise can
    /// never equal a model's test noise z_m or training noise (those use `domain`).
    public static let searchDomain: UInt32 = 0x7372_6368  // "srch"

    /// The draws of (`seed`, `stream`) under key word `domain`; `searchDomain` keeps the sigma
    /// search apart from every model's noise.
    public init(seed: UInt32, stream: UInt64 = 0, domain: UInt32 = GaussianNoise.domain) {
        self.seed = seed
        self.stream = stream
        self.philox = Philox4x32(key0: seed, key1: domain)
    }

    /// Fills `out[0..<count]` with draws `start ..< start+count`.
    public func fill(_ out: UnsafeMutablePointer<Float>, count: Int, start: Int = 0) {
        guard count > 0 else { return }
        var i = 0
        var position = start
        let s0 = UInt32(truncatingIfNeeded: stream), s1 = UInt32(truncatingIfNeeded: stream >> 32)
        while i < count {
            let blockIndex = UInt64(position / 4)
            let quad = normals(
                philox.block(
                    (
                        UInt32(truncatingIfNeeded: blockIndex),
                        UInt32(truncatingIfNeeded: blockIndex >> 32), s0, s1
                    )))
            var lane = position % 4
            while lane < 4 && i < count {
                out[i] = quad[lane]
                lane += 1; i += 1; position += 1
            }
        }
    }

    /// Draws `start ..< start + count` as an array (see `fill`).
    public func draws(count: Int, start: Int = 0) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer.baseAddress!, count: count, start: start)
            initialized = count
        }
    }

    /// Box–Muller in single precision (float32 noise needs no more); uniforms are
    /// (u + 0.5)/2^32, strictly inside (0, 1], so the logarithm is finite.
    @inline(__always)
    private func normals(_ w: (UInt32, UInt32, UInt32, UInt32)) -> SIMD4<Float> {
        let scale: Float = 1.0 / 4_294_967_296.0
        let u = (SIMD4<Float>(Float(w.0), Float(w.1), Float(w.2), Float(w.3)) + 0.5) * scale
        let r0 = (-2 * logf(u[0])).squareRoot(), t0 = 2 * Float.pi * u[1]
        let r1 = (-2 * logf(u[2])).squareRoot(), t1 = 2 * Float.pi * u[3]
        return SIMD4(r0 * cosf(t0), r0 * sinf(t0), r1 * cosf(t1), r1 * sinf(t1))
    }
}
