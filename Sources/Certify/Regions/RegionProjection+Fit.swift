import CertCore
import CertMath

extension RegionProjection {
    /// Stored inputs a fit looks at, at most.
    public static let sampleSize = 2048
    /// Subspace iterations of a fit: enough for a subspace that screens well, not for exact
    /// eigenvectors (which nothing needs).
    static let iterations = 8

    /// Which `sampleSize` of `count` stored regions a fit reads: a seeded uniform sample, in
    /// commit order (all of them when there are fewer).
    public static func samplePositions(count: Int, seed: UInt64 = defaultSeed) -> [Int] {
        guard count > sampleSize else { return Array(0..<count) }
        var rng = SplitMix64(seed: seed)
        return rng.sample(Array(0..<count), count: sampleSize).sorted()
    }

    /// The top principal directions of `rows` (count×D float32, row-major): subspace iteration
    /// Q ← orth(Xcᵀ·(Xc·Q)) on the centred sample Xc from seeded Gaussian directions.
    /// Fewer than two rows: seeded random directions. `fittedOn` records the store size.
    public static func fitted(
        rows: [Float], count: Int, dimension: Int, rank: Int = defaultRank,
        seed: UInt64 = defaultSeed, fittedOn: Int
    ) -> RegionProjection {
        precondition(rows.count == count * dimension)
        let k = min(rank, dimension)
        guard count >= 2 else { return random(dimension: dimension, rank: k, seed: seed) }
        var mean = [Double](repeating: 0, count: dimension)
        for r in 0..<count { for t in 0..<dimension { mean[t] += Double(rows[r * dimension + t]) } }
        for t in 0..<dimension { mean[t] /= Double(count) }
        var centred = [Double](repeating: 0, count: count * dimension)
        for r in 0..<count { for t in 0..<dimension { centred[r * dimension + t] = Double(rows[r * dimension + t]) - mean[t] } }

        var rng = SplitMixGaussian(seed: seed)
        var q = (0..<(dimension * k)).map { _ in rng.next() }  // D×k
        orthonormalizeColumns(&q, rows: dimension, columns: k, seed: seed)
        var y = [Double](repeating: 0, count: count * k)
        for _ in 0..<iterations {
            centred.withUnsafeBufferPointer { xc in
                q.withUnsafeBufferPointer { qp in
                    y.withUnsafeMutableBufferPointer { yp in
                        BLAS.gemm(
                            m: count, n: k, k: dimension, a: xc.baseAddress!, lda: dimension,
                            b: qp.baseAddress!, ldb: k, c: yp.baseAddress!, ldc: k)
                    }
                }
                y.withUnsafeBufferPointer { yp in
                    q.withUnsafeMutableBufferPointer { qp in
                        BLAS.gemm(
                            transA: true, m: dimension, n: k, k: count, a: xc.baseAddress!, lda: dimension,
                            b: yp.baseAddress!, ldb: k, c: qp.baseAddress!, ldc: k)
                    }
                }
            }
            // Keeps the scale sane when the sample is tiny or flat (norms would under- or overflow).
            let largest = q.reduce(0) { max($0, abs($1)) }
            if largest > 0 && largest.isFinite { for i in q.indices { q[i] /= largest } }
            orthonormalizeColumns(&q, rows: dimension, columns: k, seed: seed)
        }
        return RegionProjection(
            dimension: dimension, rank: k, seed: seed, fittedOn: fittedOn,
            basis: transposedToFloat(q, rows: dimension, columns: k))
    }
}
