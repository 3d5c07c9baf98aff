import CBLAS
import Foundation

/// The one door to OpenBLAS. Every matrix product in the engine goes through here, so the
/// threading policy and the determinism rules live in one place.
public enum BLAS {
    /// Workers own the parallelism: OpenBLAS must run single-threaded inside each of them,
    /// or its own pool would oversubscribe the cores and make timings noisy.
    public static func useSingleThread() {
        openblas_set_num_threads(1)
    }

    /// OpenBLAS's current thread count for one product.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel OpenBLAS picked for this CPU (e.g. "Haswell", "SkylakeX", "Cooperlake").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// Build configuration string of the loaded OpenBLAS.
    public static var configuration: String {
        String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)
    }

    /// Row-major C[m×n] = alpha·op(A)·op(B) + beta·C.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }
}
