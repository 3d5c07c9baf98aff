/// Fully connected layers run on tiles of `Linear.tileWidth` images held feature-major
/// (x[t + f·tileWidth]), so each model's weights are read once per tile.
///
/// Why a fixed tile: OpenBLAS chooses micro-kernels by matrix shape, and a row's result
/// differs in the last bits between kernels (measured on OpenBLAS 0.3.21 with the
/// Cooperlake, SkylakeX, Haswell and Zen kernels). With the images as the M dimension of a
/// column-major product of a fixed width of 16, every image goes through the same vector
/// lanes wherever it sits in the tile, so a verdict never depends on which other images
/// shared its batch. Partial tiles are zero-padded. This holds for one OpenBLAS thread per
/// product only: a multi-threaded product splits the tile's rows between threads and the
/// halves take another micro-kernel (see `BLAS.ensureSingleThread`, which `Ensemble`
/// calls before every forward pass).
public enum Linear {
    /// Images per tile: 16, fixed (see above); partial tiles are zero-padded by the caller.
    public static let tileWidth = 16

    /// output[t + o·16] = W·x_t + b for the 16 images of a feature-major tile; W is the row-major
    /// [outFeatures × inFeatures] weight.
    public static func forwardTile(
        _ input: UnsafePointer<Float>, inFeatures: Int, outFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>
    ) {
        let t = tileWidth
        // Column-major Y[t × out] = X[t × in] · Wᵀ, where the row-major W[out × in] is the
        // column-major [in × out] matrix Wᵀ.
        BLAS.gemmColumnMajor(
            m: t, n: outFeatures, k: inFeatures,
            a: input, lda: t, b: weight, ldb: inFeatures, c: output, ldc: t)
        if let bias {
            for o in 0..<outFeatures {
                let b = bias[o]
                let column = output + o * t
                for i in 0..<t { column[i] += b }
            }
        }
    }
}
