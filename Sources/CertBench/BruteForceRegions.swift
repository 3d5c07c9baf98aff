import CertCore
import Certify

/// The storage-update's search as it was before the region index: every stored input in RAM as
/// float64 rows, one float64 matrix–vector product per input (||x||² + ||x_j||² − 2·x·x_j with
/// cached norms), and an exact recomputation of every row that the product's rounding bound
/// cannot place out of reach. The benchmark's baseline, deciding through the same rule
/// (`StorageUpdate.decide(…, near:)`), so its decisions must equal the index's.
public final class BruteForceRegions {
    /// D, values per input appended or decided.
    public let dimension: Int
    /// Row-major n×D.
    private var rows: [Double] = []
    private var squaredNorms: [Double] = []
    private var sha256s: [String] = []
    private var labels: [Int] = []
    private var radii: [Double] = []

    /// An empty set with room for `capacity` regions (a timed batch appends without reallocating).
    public init(dimension: Int, capacity: Int = 0) {
        self.dimension = dimension
        rows.reserveCapacity(capacity * dimension)
    }

    /// Regions held, n.
    public var count: Int { labels.count }
    /// Bytes of the float64 rows plus 24 a region (norm, label, radius); hashes not counted.
    public var memoryBytes: Int { 8 * rows.count + 24 * count }

    /// Appends a region as a float64 row with its squared norm; `input` has `dimension` values.
    public func append(sha256: String, label: Int, radius: Double, input: some Collection<Float>) {
        precondition(input.count == dimension)
        var norm = 0.0
        for v in input {
            let d = Double(v)
            rows.append(d)
            norm += d * d
        }
        squaredNorms.append(norm)
        sha256s.append(sha256); labels.append(label); radii.append(radius)
    }

    /// Drops the regions after the first `n` (`n` <= `count`): takes a decided batch back.
    public func truncate(to n: Int) {
        let k = count - n
        rows.removeLast(k * dimension); squaredNorms.removeLast(k)
        sha256s.removeLast(k); labels.removeLast(k); radii.removeLast(k)
    }

    /// Decides `items` one at a time, appending each region, as the ledger did.
    public func decideSequentially(_ items: [StorageUpdate.Item]) throws -> [StorageUpdate.Decision] {
        try items.map { item in
            var near = neighbourhood(item.input)
            let d = try StorageUpdate.decide(input: item.input, label: item.label, radius: item.radius, near: &near)
            append(sha256: item.sha256, label: d.label, radius: d.radius, input: item.input)
            return d
        }
    }

    /// The float64 product for `input` against every row.
    func neighbourhood(_ input: [Float]) -> Neighbourhood {
        let x = input.map(Double.init)
        var xNorm = 0.0
        for v in x { xNorm += v * v }
        let n = count
        var dots = [Double](repeating: 0, count: n)
        if n > 0 {
            rows.withUnsafeBufferPointer { a in
                x.withUnsafeBufferPointer { xp in
                    dots.withUnsafeMutableBufferPointer { y in
                        BLAS.gemv(m: n, n: dimension, a: a.baseAddress!, lda: dimension, x: xp.baseAddress!, y: y.baseAddress!)
                    }
                }
            }
        }
        // Any summation order of D products errs by at most γ_D·(||x||² + ||x_j||²)/2; twice that.
        let gamma = 4 * Double(dimension + 4) * (Double.ulpOfOne / 2)
        var squared = [Double](repeating: 0, count: n)
        var bound = [Double](repeating: 0, count: n)
        for j in 0..<n {
            squared[j] = max(0, xNorm + squaredNorms[j] - 2 * dots[j])
            bound[j] = gamma * (xNorm + squaredNorms[j])
        }
        return Neighbourhood(regions: self, x: x, squared: squared, bound: bound)
    }

    struct Neighbourhood: RegionNeighbourhood {
        let regions: BruteForceRegions
        let x: [Double]
        let squared: [Double]
        let bound: [Double]

        func forEachCandidate(excluding label: Int, radius: Double, _ body: (RegionCandidate) throws -> Void) throws {
            for j in 0..<regions.count where regions.labels[j] != label {
                let reach = radius + regions.radii[j]
                // Proven ||x − x_j|| >= reach (a hair of slack for rounding in reach²): not reached.
                if squared[j] - bound[j] > reach * reach * (1 + 4 * Double.ulpOfOne) { continue }
                try body(RegionCandidate(position: j, label: regions.labels[j], radius: regions.radii[j], distance: exactDistance(j)))
            }
        }

        func sha256(at position: Int) throws -> String { regions.sha256s[position] }

        /// The rule's exact distance, in the same order as the index's.
        func exactDistance(_ j: Int) -> Double {
            var s = 0.0
            let base = j * regions.dimension
            for i in 0..<regions.dimension {
                let d = x[i] - regions.rows[base + i]
                s += d * d
            }
            return s.squareRoot()
        }
    }
}
