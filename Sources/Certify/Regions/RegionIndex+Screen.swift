import CertCore

extension RegionIndex {
    /// One input as the screen sees it: its pixels in float64 (for exact distances), and its
    /// features.
    struct Probe {
        var x: [Double]
        var features: [Float]
        var nu: Double
        var norm: Double
    }

    func probe(_ input: [Float]) -> Probe {
        precondition(input.count == dimension, "input has \(input.count) values, index expects \(dimension)")
        let (f, nu) = input.withUnsafeBufferPointer { projection.features($0) }
        return Probe(x: input.map(Double.init), features: f, nu: nu, norm: input.withUnsafeBufferPointer { Self.norm($0) })
    }

    /// What one screen pass did, for the benchmark's survivor fraction.
    public struct ScreenCounts: Sendable, Equatable {
        /// Pairs (input, stored region of another label) the screen looked at.
        public var pairs = 0
        /// Pairs the block threshold let through to the per-pair bound.
        public var pastThreshold = 0
        /// Pairs the per-pair bound could not exclude: their inputs are read.
        public var survivors = 0
        /// Survivors (and unscreened pairs inside a batch) whose quick float64 distance could not
        /// place them out of reach either: each got the exact fixed-order distance.
        public var exact = 0
        /// All counts zero.
        public init() {}

        /// Adds each count of `b` to `a`.
        public static func += (a: inout ScreenCounts, b: ScreenCounts) {
            a.pairs += b.pairs; a.pastThreshold += b.pastThreshold; a.survivors += b.survivors; a.exact += b.exact
        }
    }

    /// For each probe, the positions below `limit` of regions whose label is not `labels[i]`
    /// that the proven bound cannot exclude from the ball of radius `radii[i]`, in commit order.
    /// One float32 product per label block for all probes at once (`RegionScreen` says why a
    /// float32 product can decide exclusions safely).
    func survivors(
        _ probes: [Probe], labels: [Int], radii: [Double], limit: Int,
        counts: inout ScreenCounts
    ) -> [[(position: Int, label: Int)]] {
        let screen = self.screen
        let queries = probes.indices.map {
            screen.query(features: probes[$0].features, nu: probes[$0].nu, norm: probes[$0].norm, radius: radii[$0])
        }
        var out = [[(position: Int, label: Int)]](repeating: [], count: probes.count)
        let width = projection.rank + 1
        var c: [Float] = []
        for partition in partitions {
            let members = probes.indices.filter { labels[$0] != partition.label }
            guard !members.isEmpty else { continue }
            let a = members.flatMap { queries[$0].row }
            for block in partition.blocks {
                let n = block.rows(below: limit)
                guard n > 0 else { continue }
                if c.count < members.count * n { c = [Float](repeating: 0, count: members.count * n) }
                a.withUnsafeBufferPointer { ap in
                    block.rows.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            BLAS.gemm(
                                transB: true, m: members.count, n: n, k: width, a: ap.baseAddress!, lda: width,
                                b: bp.baseAddress!, ldb: width, c: cp.baseAddress!, ldc: n)
                        }
                    }
                }
                counts.pairs += members.count * n
                for (row, i) in members.enumerated() {
                    let q = queries[i]
                    let threshold = screen.threshold(q, maxNu: block.maxNu, maxRadius: block.maxRadius)
                    c.withUnsafeBufferPointer { cp in
                        Self.scan(UnsafeBufferPointer(rebasing: cp[(row * n)..<((row + 1) * n)]), above: threshold) { j in
                            counts.pastThreshold += 1
                            let nu = block.rows[j * width + width - 1]
                            if !screen.excludes(cp[row * n + j], q, nu: nu, radiusBound: block.radiusBounds[j]) {
                                counts.survivors += 1
                                out[i].append((Int(block.positions[j]), partition.label))
                            }
                        }
                    }
                }
            }
        }
        // Partitions run label by label; the rule walks in commit order.
        for i in out.indices where out[i].count > 1 { out[i].sort { $0.position < $1.position } }
        return out
    }

    /// Calls `body(j)` for every j whose value is not above `threshold` (NaN included), sixteen
    /// lanes at a time: most blocks of sixteen are all above it.
    @inline(__always)
    static func scan(_ v: UnsafeBufferPointer<Float>, above threshold: Float, _ body: (Int) -> Void) {
        let raw = UnsafeRawPointer(v.baseAddress!)
        let t = SIMD16<Float>(repeating: threshold)
        var j = 0
        while j + 16 <= v.count {
            let lanes = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD16<Float>.self)
            if !all(lanes .> t) {
                for l in 0..<16 where !(lanes[l] > threshold) { body(j + l) }
            }
            j += 16
        }
        while j < v.count {
            if !(v[j] > threshold) { body(j) }
            j += 1
        }
    }
}
