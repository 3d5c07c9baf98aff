import Synchronization

/// The unit-norm blending pattern P/d: float32(RandomState(0).randn(C,H,W)) over its float32
/// L2 norm. The trigger is this times delta.
enum BlendingPattern {
    struct Shape: Hashable { var channels, height, width: Int }

    /// ImageNet-size patterns take 150k draws, so each shape is built once and kept. The
    /// lock is held while building, so concurrent first callers wait rather than duplicate.
    private static let cache = Mutex<[Shape: [Float]]>([:])

    static func unit(_ shape: Shape) -> [Float] {
        cache.withLock { patterns in
            if let pattern = patterns[shape] { return pattern }
            let raw = rawPattern(shape)
            let norm = float32Norm(raw)
            let pattern = raw.map { $0 / norm }
            patterns[shape] = pattern
            return pattern
        }
    }

    /// float32 of numpy's legacy `RandomState(0).randn(C,H,W)`, in C order.
    static func rawPattern(_ shape: Shape) -> [Float] {
        var gaussian = LegacyGaussian(seed: 0)
        let count = shape.channels * shape.height * shape.width
        return (0..<count).map { _ in Float(gaussian.next()) }
    }

    /// The L2 norm accumulated in float32 the way the reference computed it: eight lanes,
    /// element i into lane i % 8, lanes then summed in order, the tail added last. This
    /// order reproduces the reference's raw_norm_float32 bit for bit at all three sizes;
    /// plain sequential or pairwise float32 sums miss it by a few ulps at 3x224x224.
    static func float32Norm(_ values: [Float]) -> Float {
        var lanes = [Float](repeating: 0, count: 8)
        let whole = values.count - values.count % 8
        var i = 0
        while i < whole {
            for lane in 0..<8 {
                let x = values[i + lane]
                lanes[lane] += x * x
            }
            i += 8
        }
        var total: Float = 0
        for lane in lanes { total += lane }
        for x in values[whole...] { total += x * x }
        return total.squareRoot()
    }
}
