import CertKernels

/// IEEE binary16 → binary32, exactly (`Float(Float16(bitPattern:))` for every finite and
/// infinite value; NaNs stay NaN with their payload): F16C's `vcvtph2ps` where the CPU runs
/// `CertKernels`' Haswell build, else the integer form (`HalfConversion.widen8`). Model loading
/// uses it for the small fp16 tensors; the head kernel widens the large ones as it reads them.
public enum HalfWidening {
    /// dst[i] = the float value of the little-endian binary16 `src[i]`, for `count` values.
    public static func widen(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        if KernelBuild.current != .portable {
            HalfConversion.widenF16C(src, count: count, into: dst)
        } else {
            HalfConversion.widen(src, count: count, into: dst)
        }
    }
}
