/// IEEE binary16 → binary32, eight values at a time, exactly (`Float(Float16(bitPattern:))`
/// for every finite and infinite value; NaNs stay NaN with their payload).
///
/// Why not `Float(Float16)`: built for the baseline x86-64 target, Swift lowers it to a
/// runtime call per value (no F16C), about 100 times slower than this integer form, which
/// the engine runs on every fp16 head weight it streams (`ModelTensors.HeadWeight`).
public enum HalfWidening {
    /// dst[i] = the float value of the little-endian binary16 `src[i]`, for `count` values.
    public static func widen(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        var i = 0
        let out = UnsafeMutableRawPointer(dst)
        while i + 8 <= count {
            let h = SIMD8<UInt32>(truncatingIfNeeded: src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self))
            out.storeBytes(of: widen8(h), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let h = UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            dst[i] = widen8(SIMD8<UInt32>(repeating: h))[0]
            i += 1
        }
    }

    /// Exponent and mantissa moved into a float's place and scaled by 2¹¹² (the difference of
    /// the exponent biases): exact for normal and subnormal halves. Infinities and NaNs (all
    /// exponent bits set) get the float's all-ones exponent instead.
    @inline(__always)
    static func widen8(_ h: SIMD8<UInt32>) -> SIMD8<Float> {
        let magnitude = h & 0x7fff
        let shifted = magnitude &<< 13
        let finite = unsafeBitCast(shifted, to: SIMD8<Float>.self) * 0x1p112
        let special = shifted | 0x7f80_0000
        var bits = unsafeBitCast(finite, to: SIMD8<UInt32>.self)
        bits.replace(with: special, where: magnitude .>= 0x7c00)
        return unsafeBitCast(bits | ((h & 0x8000) &<< 16), to: SIMD8<Float>.self)
    }
}
