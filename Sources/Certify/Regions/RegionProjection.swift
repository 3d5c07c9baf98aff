import CertCore
import CertMath
import Foundation

/// A linear map B from inputs (D values) to `rank` features, the screen of the region index:
/// ||B(x − y)|| <= σ_max(B)·||x − y||, so the distance of two inputs' features, divided by
/// σ_max(B), is a lower bound on the distance of the inputs (the triangle inequality does the
/// rest, see `RegionScreen`).
///
/// Nothing here needs B to be orthonormal: `scale` is a proven bound 1/σ_max(B) computed from
/// the float32 entries actually used, so a badly fitted basis only screens less, never wrongly.
/// The basis is the only randomness of the storage-update, and it is seeded (`seed`): PCA of
/// a seeded sample of the stored inputs (`fitted`), or seeded Gaussian directions when there
/// is nothing to fit yet (`random`). The decisions do not depend on it at all.
public struct RegionProjection: Sendable {
    /// Features per region (32 at most; fewer when the input has fewer values).
    public static let defaultRank = 32
    /// The seed of the sample and of the starting directions, recorded so a run can be repeated.
    public static let defaultSeed: UInt64 = 0x5EED_2026_0010_0006

    /// D, values per input.
    public let dimension: Int
    /// Features per input, the rows of B (<= D; `random` and `fitted` cap the rank asked at D).
    public let rank: Int
    /// The seed of the sample and of the directions that made B.
    public let seed: UInt64
    /// The inputs the basis was fitted on (0 for seeded random directions).
    public let fittedOn: Int
    /// B as float32, row-major rank×D; every entry is exact in float64 too.
    public let basis: [Float]
    /// The same entries as float64, for the float64 products of `features`.
    let basis64: [Double]
    /// <= 1/σ_max(B), proven from the float64 Gram matrix of the float32 rows (see `init`).
    public let scale: Double
    /// >= ||B||_F, for the rounding bound of a float64 projection.
    let frobenius: Double

    /// Wraps float32 rows (rank×D, row-major) and proves their bounds.
    ///
    /// σ_max(B)² = λ_max(BBᵀ) <= 1 + ||G − I||_F for G = BBᵀ. G is summed in float64 from
    /// float32 products (each exact), so each entry errs by at most γ_D·||b_i||·||b_j|| and the
    /// whole matrix by D·u·4·max||b||²·rank in Frobenius norm (γ_D <= 1.01·D·u, a factor 4 to
    /// spare); that term is added to the computed ||G − I||_F.
    init(dimension: Int, rank: Int, seed: UInt64, fittedOn: Int, basis: [Float]) {
        precondition(dimension > 0 && rank > 0 && rank <= dimension && basis.count == rank * dimension)
        self.dimension = dimension; self.rank = rank; self.seed = seed; self.fittedOn = fittedOn
        self.basis = basis
        basis64 = basis.map(Double.init)
        var offDiagonal = 0.0, maxRow = 0.0, trace = 0.0
        for i in 0..<rank {
            for j in i..<rank {
                var g = 0.0
                for t in 0..<dimension { g += basis64[i * dimension + t] * basis64[j * dimension + t] }
                if i == j { trace += g; maxRow = max(maxRow, g) }
                let e = i == j ? g - 1 : g
                offDiagonal += (i == j ? 1 : 2) * e * e
            }
        }
        let rounding = 4 * Double(dimension + 2) * Double(rank) * RegionScreen.u64 * maxRow
        let rho = offDiagonal.squareRoot() * (1 + 1e-12) + rounding
        scale = (1 - 1e-12) / (1 + rho).squareRoot()
        frobenius = (trace * (1 + 1e-12) + rounding).squareRoot() * (1 + 1e-12)
    }

    /// Seeded Gaussian directions, orthonormalised: the basis of an index with nothing to fit.
    public static func random(dimension: Int, rank: Int = defaultRank, seed: UInt64 = defaultSeed) -> RegionProjection {
        let k = min(rank, dimension)
        var rng = SplitMixGaussian(seed: seed)
        var q = (0..<(dimension * k)).map { _ in rng.next() }  // D×k, row-major
        orthonormalizeColumns(&q, rows: dimension, columns: k, seed: seed)
        return RegionProjection(
            dimension: dimension, rank: k, seed: seed, fittedOn: 0, basis: transposedToFloat(q, rows: dimension, columns: k))
    }

    /// q̂ = float32(B·x in float64) and ||q̂||² in float64: the features of one input.
    func features(_ x: UnsafeBufferPointer<Float>) -> (features: [Float], squaredNorm: Double) {
        let x64 = x.map(Double.init)
        var q = [Double](repeating: 0, count: rank)
        basis64.withUnsafeBufferPointer { b in
            x64.withUnsafeBufferPointer { xp in
                q.withUnsafeMutableBufferPointer { y in
                    BLAS.gemv(m: rank, n: dimension, a: b.baseAddress!, lda: dimension, x: xp.baseAddress!, y: y.baseAddress!)
                }
            }
        }
        let f = q.map { Float($0) }
        return (f, f.reduce(0.0) { $0 + Double($1) * Double($1) })
    }

    /// Features of `count` inputs at once (row-major count×D float64 in, count×rank float32 out).
    func features(block x: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Float>) {
        var q = [Double](repeating: 0, count: count * rank)
        basis64.withUnsafeBufferPointer { b in
            q.withUnsafeMutableBufferPointer { c in
                BLAS.gemm(
                    transB: true, m: count, n: rank, k: dimension, a: x, lda: dimension,
                    b: b.baseAddress!, ldb: dimension, c: c.baseAddress!, ldc: rank)
            }
        }
        for i in 0..<(count * rank) { out[i] = Float(q[i]) }
    }

    /// Float32 rows of the transpose of a float64 rows×columns matrix.
    static func transposedToFloat(_ q: [Double], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = Float(q[r * columns + c]) } }
        return out
    }

    /// Modified Gram–Schmidt on the columns of a rows×columns float64 matrix, repeated while a
    /// pass removes more than half of a column (Kahan's criterion); a column that was (nearly) in
    /// the span of the earlier ones — a rank-deficient sample — is replaced by a seeded random one,
    /// since what is left of it would be rounding noise, not orthogonal to anything.
    static func orthonormalizeColumns(_ q: inout [Double], rows: Int, columns: Int, seed: UInt64) {
        var rng = SplitMixGaussian(seed: seed ^ 0x0DD_BA5E)
        func norm(_ c: Int) -> Double {
            var s = 0.0
            for r in 0..<rows { s += q[r * columns + c] * q[r * columns + c] }
            return s.squareRoot()
        }
        for c in 0..<columns {
            var original = norm(c), attempts = 0
            while true {
                var before = original, after = 0.0
                for _ in 0..<4 {
                    for p in 0..<c {
                        var dot = 0.0
                        for r in 0..<rows { dot += q[r * columns + p] * q[r * columns + c] }
                        for r in 0..<rows { q[r * columns + c] -= dot * q[r * columns + p] }
                    }
                    after = norm(c)
                    if after > 0.5 * before { break }
                    before = after
                }
                if after > 1e-8 * original && after.isFinite && after > 1e-200 {
                    for r in 0..<rows { q[r * columns + c] /= after }
                    break
                }
                attempts += 1
                precondition(attempts < 100, "cannot orthonormalise \(columns) directions in \(rows) dimensions")
                for r in 0..<rows { q[r * columns + c] = rng.next() }
                original = norm(c)
            }
        }
    }
}

/// Standard normal draws from SplitMix64 (Box–Muller): the seeded directions of a projection.
struct SplitMixGaussian {
    private var rng: SplitMix64
    private var spare: Double?

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func next() -> Double {
        if let s = spare { spare = nil; return s }
        let u1 = (Double(rng.next() >> 11) + 1) * 0x1p-53  // (0, 1]
        let u2 = Double(rng.next() >> 11) * 0x1p-53
        let r = (-2 * log(u1)).squareRoot()
        spare = r * sin(2 * .pi * u2)
        return r * cos(2 * .pi * u2)
    }
}
