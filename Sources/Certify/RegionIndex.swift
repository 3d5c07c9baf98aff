import CertCore

/// One issued region of the storage-update store (METHOD.md §2.7): the input, the label and the
/// radius reported for it, in commit order.
public struct IndexedRegion: Sendable, Equatable {
    /// Commit order, from 1.
    public var sequence: UInt64
    /// Lowercase hex SHA-256 of the input's file (the verdict's key).
    public var sha256: String
    /// The label the region was issued for.
    public var label: Int
    /// The region's radius, finite and ≥ 0 (L2, pixel units).
    public var radius: Double
    /// The flattened input, `dimension` values.
    public var input: [Float]

    /// A region from its fields.
    public init(sequence: UInt64, sha256: String, label: Int, radius: Double, input: [Float]) {
        self.sequence = sequence; self.sha256 = sha256; self.label = label
        self.radius = radius; self.input = input
    }
}

/// In-memory index of every issued region, in arrival (commit) order. The distance of a new input
/// to all n stored inputs is one BLAS matrix–vector product, O(n·D), through
/// ||x − x_j||² = ||x||² + ||x_j||² − 2·x·x_j with cached squared norms.
///
/// The inputs are kept as float64 rows (each float32 pixel converts exactly): a float32 product
/// loses ~1e-7 relative on the dot and far more after the cancellation in the formula, too coarse
/// to decide "d < R + R_j" at the boundary. Even in float64 the formula is only a screen: every
/// row whose decision could flip within its rounding bound is recomputed exactly (sum of squared
/// differences, fixed order), so decisions never depend on the BLAS kernel.
public final class RegionIndex {
    /// Values per input (C·H·W).
    public let dimension: Int
    /// Row-major n×D.
    private var rows: [Double] = []
    private var squaredNorms: [Double] = []
    /// Each region's sequence, in commit order.
    public private(set) var sequences: [UInt64] = []
    /// Each region's SHA-256.
    public private(set) var sha256s: [String] = []
    /// Each region's label.
    public private(set) var labels: [Int] = []
    /// Each region's radius.
    public private(set) var radii: [Double] = []

    /// An empty index for inputs of `dimension` values. Crashes (precondition) for 0.
    public init(dimension: Int) {
        precondition(dimension > 0, "region dimension must be positive")
        self.dimension = dimension
    }

    /// Rebuilds the index from a persistent store; `regions` must be in commit order.
    public convenience init(dimension: Int, regions: [IndexedRegion]) {
        self.init(dimension: dimension)
        rows.reserveCapacity(regions.count * dimension)
        for r in regions { append(r) }
    }

    /// Regions held.
    public var count: Int { labels.count }

    /// Adds `r` after the last region. Crashes (precondition) on a wrong size or a negative or
    /// non-finite radius: `StorageUpdate.decide` never produces one.
    public func append(_ r: IndexedRegion) {
        precondition(r.input.count == dimension, "region input has \(r.input.count) values, index expects \(dimension)")
        precondition(r.radius >= 0 && r.radius.isFinite, "stored radii are finite and non-negative")
        var norm = 0.0
        for v in r.input {
            let d = Double(v)
            rows.append(d)
            norm += d * d
        }
        squaredNorms.append(norm)
        sequences.append(r.sequence); sha256s.append(r.sha256)
        labels.append(r.label); radii.append(r.radius)
    }

    /// Drops the regions after the first `count` (a commit that failed takes its regions back).
    public func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count)
        let k = self.count - count
        rows.removeLast(k * dimension); squaredNorms.removeLast(k)
        sequences.removeLast(k); sha256s.removeLast(k); labels.removeLast(k); radii.removeLast(k)
    }

    /// Region `j` (0-based, commit order), its input narrowed back to float32 exactly.
    public func region(at j: Int) -> IndexedRegion {
        let input = rows[j * dimension ..< (j + 1) * dimension].map { Float($0) }
        return IndexedRegion(sequence: sequences[j], sha256: sha256s[j], label: labels[j], radius: radii[j], input: input)
    }

    /// ||x − x_j|| for every stored j, in commit order. Rows where cancellation could cost more than
    /// ~1e-10 relative (inputs nearly equal) are recomputed exactly.
    public func distances(to x: [Float]) -> [Double] {
        let s = screen(x)
        var out = [Double](repeating: 0, count: count)
        for j in 0..<count {
            let approx = s.squared[j]
            out[j] = s.bound[j] > 1e-10 * approx ? exactDistance(j, s.x) : approx.squareRoot()
        }
        return out
    }

    /// Approximate squared distances (clamped at 0) with a rigorous bound on their error.
    struct Screen {
        var x: [Double]
        var squared: [Double]
        var bound: [Double]
    }

    func screen(_ input: [Float]) -> Screen {
        precondition(input.count == dimension, "input has \(input.count) values, index expects \(dimension)")
        let x = input.map(Double.init)
        var xNorm = 0.0
        for v in x { xNorm += v * v }
        let n = count
        var dots = [Double](repeating: 0, count: n)
        if n > 0 {
            rows.withUnsafeBufferPointer { a in
                x.withUnsafeBufferPointer { xp in
                    dots.withUnsafeMutableBufferPointer { y in
                        BLAS.gemv(m: n, n: dimension, a: a.baseAddress!, lda: dimension,
                                  x: xp.baseAddress!, y: y.baseAddress!)
                    }
                }
            }
        }
        // Any summation order of D products errs by at most γ_D·Σ|x_i·x_ji| ≤ γ_D·(||x||² + ||x_j||²)/2
        // (γ_D ≈ D·u); the norms and the three-term sum add a few u more. Twice that, to be safe.
        let gamma = 4 * Double(dimension + 4) * (Double.ulpOfOne / 2)
        var squared = [Double](repeating: 0, count: n)
        var bound = [Double](repeating: 0, count: n)
        for j in 0..<n {
            squared[j] = max(0, xNorm + squaredNorms[j] - 2 * dots[j])
            bound[j] = gamma * (xNorm + squaredNorms[j])
        }
        return Screen(x: x, squared: squared, bound: bound)
    }

    /// ||x − x_j|| summed in a fixed order in float64, with no cancellation (for pixel-range values
    /// the differences of float32 values are exact in float64): the reference every decision uses.
    func exactDistance(_ j: Int, _ x: [Double]) -> Double {
        var s = 0.0
        let base = j * dimension
        for i in 0..<dimension {
            let d = x[i] - rows[base + i]
            s += d * d
        }
        return s.squareRoot()
    }
}
