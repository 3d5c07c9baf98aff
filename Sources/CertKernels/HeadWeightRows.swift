/// Where `HeadKernel` reads the weight matrix W (row-major [out × in]) from, eight columns at a
/// time: float32 in place, or binary16 halves widened in registers as they are read. Widening
/// a half is exact, so both give the same products bit for bit.
public protocol HeadWeightRows {
    /// W[o][k..<k+8] as float32.
    func vector(row o: Int, column k: Int) -> SIMD8<Float>
    /// W[o][k] as float32.
    func scalar(row o: Int, column k: Int) -> Float
}

/// Float32 weights in place.
@frozen
public struct FloatWeightRows: HeadWeightRows {
    @usableFromInline let base: UnsafePointer<Float>
    @usableFromInline let columns: Int

    /// The [rows × columns] matrix at `base`.
    @inlinable
    @inline(__always)
    public init(_ base: UnsafePointer<Float>, columns: Int) {
        self.base = base
        self.columns = columns
    }

    /// W[o][k..<k+8].
    @inlinable
    @inline(__always)
    public func vector(row o: Int, column k: Int) -> SIMD8<Float> {
        UnsafeRawPointer(base + o * columns + k).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// W[o][k].
    @inlinable
    @inline(__always)
    public func scalar(row o: Int, column k: Int) -> Float { base[o * columns + k] }
}

/// Little-endian binary16 weights, widened by the integer form (`HalfConversion.widen8`): the
/// portable build, for CPUs without F16C.
@frozen
public struct HalfWeightRows: HeadWeightRows {
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let columns: Int

    /// The [rows × columns] matrix of halves at `base`.
    @inlinable
    @inline(__always)
    public init(_ base: UnsafeRawPointer, columns: Int) {
        self.base = base
        self.columns = columns
    }

    /// W[o][k..<k+8], widened.
    @inlinable
    @inline(__always)
    public func vector(row o: Int, column k: Int) -> SIMD8<Float> {
        HalfConversion.widen8(base.loadUnaligned(fromByteOffset: 2 * (o * columns + k), as: SIMD8<UInt16>.self))
    }

    /// W[o][k], widened.
    @inlinable
    @inline(__always)
    public func scalar(row o: Int, column k: Int) -> Float {
        HalfConversion.widen8(SIMD8(repeating: base.loadUnaligned(fromByteOffset: 2 * (o * columns + k), as: UInt16.self)))[0]
    }
}

/// Binary16 weights widened by the CPU's conversion instruction (`vcvtph2ps`, F16C): only in
/// this module's Haswell build (`HeadKernel.productHalvesF16C`), where it is one instruction.
@usableFromInline
struct F16CWeightRows: HeadWeightRows {
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let columns: Int

    @inline(__always)
    init(_ base: UnsafeRawPointer, columns: Int) {
        self.base = base
        self.columns = columns
    }

    @inline(__always) @usableFromInline
    func vector(row o: Int, column k: Int) -> SIMD8<Float> {
        // Lane by lane, not SIMD8<Float>(SIMD8<Float16>): that generic init stayed a call per
        // vector inside the kernel (10% of the trained set's time); eight `Float(Float16)`
        // become one vcvtph2ps.
        let h = base.loadUnaligned(fromByteOffset: 2 * (o * columns + k), as: SIMD8<Float16>.self)
        return SIMD8<Float>(Float(h[0]), Float(h[1]), Float(h[2]), Float(h[3]), Float(h[4]), Float(h[5]), Float(h[6]), Float(h[7]))
    }

    @inline(__always) @usableFromInline
    func scalar(row o: Int, column k: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 2 * (o * columns + k), as: Float16.self))
    }
}
