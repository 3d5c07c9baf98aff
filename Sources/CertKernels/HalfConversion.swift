/// IEEE binary16 → binary32 widening, exact (`Float(Float16(bitPattern:))` for every finite
/// and infinite value; NaNs stay NaN with their payload).
///
/// Two forms: `widen8`, integer arithmetic that any x86-64 runs as plain vector code (built
/// for the baseline target, `Float(Float16)` is a runtime call per value, about 100 times
/// slower); and `widenF16C`, this module's Haswell build, one `vcvtph2ps` per eight values.
public enum HalfConversion {
    /// Exponent and mantissa moved into a float's place and scaled by 2¹¹² (the difference of
    /// the exponent biases): exact for normal and subnormal halves. Infinities and NaNs (all
    /// exponent bits set) get the float's all-ones exponent instead. Branch-free and without
    /// vector masks (a `replace(with:where:)` here was compiled lane by lane through memory).
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func widen8(_ halves: SIMD8<UInt16>) -> SIMD8<Float> {
        let h = SIMD8<UInt32>(truncatingIfNeeded: halves)
        let magnitude = h & 0x7fff
        let shifted = magnitude &<< 13
        let finite = unsafeBitCast(unsafeBitCast(shifted, to: SIMD8<Float>.self) * 0x1p112, to: SIMD8<UInt32>.self)
        // All ones where magnitude ≥ 0x7c00: magnitude + 0x400 reaches bit 15 exactly then.
        let special = 0 &- ((magnitude &+ 0x400) &>> 15)
        let bits = (finite & ~special) | ((shifted | 0x7f80_0000) & special)
        return unsafeBitCast(bits | ((h & 0x8000) &<< 16), to: SIMD8<Float>.self)
    }

    /// dst[i] = the float value of the little-endian binary16 `src[i]`, for `count` values,
    /// by `widen8`.
    @_alwaysEmitIntoClient
    public static func widen(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= count {
            out.storeBytes(
                of: widen8(src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self)), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] = widen8(SIMD8(repeating: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))[0]
            i += 1
        }
    }

    /// `widen` by the F16C instruction. Call it only where the CPU has F16C.
    @inline(never)
    public static func widenF16C(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= count {
            let h = src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<Float16>.self)
            let f = SIMD8<Float>(Float(h[0]), Float(h[1]), Float(h[2]), Float(h[3]), Float(h[4]), Float(h[5]), Float(h[6]), Float(h[7]))
            out.storeBytes(of: f, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] = Float(src.loadUnaligned(fromByteOffset: 2 * i, as: Float16.self))
            i += 1
        }
    }
}
