import CBLAS

extension BLAS {
    /// Row-major y[m] = A[m×n]·x[n] in float64. The region index uses it for the dot products of a
    /// new input with every stored input: float64 because the distances feed exact certificate
    /// decisions, and OpenBLAS's mixed `dsdot` accumulates partly in float32 (3e-8 relative error
    /// on a 784-long dot, measured on Cooperlake), which is too coarse for that.
    @inline(__always)
    public static func gemv(
        m: Int, n: Int,
        a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>,
        y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(
            CblasRowMajor, CblasNoTrans, blasint(m), blasint(n),
            1, a, blasint(lda), x, 1, 0, y, 1)
    }
}

extension BLAS {
    /// Row-major C[m×n] = op(A)·op(B) in float64. The region index projects inputs with it, and
    /// fits its projection (a covariance and its subspace iteration); neither feeds a decision
    /// without a proven error bound, so any kernel's summation order will do.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            1, a, blasint(lda), b, blasint(ldb),
            0, c, blasint(ldc))
    }
}
