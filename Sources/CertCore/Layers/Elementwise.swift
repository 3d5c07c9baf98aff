/// Element-wise layers. BatchNorm runs in inference mode, folded at load time into one
/// scale and shift per channel: y = x·scale + shift.
public enum Elementwise {
    /// x = max(x, 0) in place, over `count` floats.
    public static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = max(x[i], 0) }
    }

    /// x += y over `count` floats (a residual's sum).
    public static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// x = x·scale[c] + shift[c] per channel of a CHW image, in place; `relu` applies max(·, 0) in
    /// the same pass.
    public static func scaleShift(
        _ x: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        channels: Int, pixels: Int, relu: Bool
    ) {
        for c in 0..<channels {
            let a = scale[c], b = shift[c]
            let p = x + c * pixels
            if relu {
                for i in 0..<pixels { p[i] = max(p[i] * a + b, 0) }
            } else {
                for i in 0..<pixels { p[i] = p[i] * a + b }
            }
        }
    }

    /// Folds BatchNorm statistics into (scale, shift); eps as PyTorch's default.
    public static func foldBatchNorm(
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
        channels: Int, eps: Float = 1e-5
    ) -> (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            let s = weight[c] / (variance[c] + eps).squareRoot()
            scale[c] = s
            shift[c] = bias[c] - mean[c] * s
        }
        return (scale, shift)
    }

    /// Logistic function, stable for large |x|.
    @inlinable public static func sigmoid(_ x: Double) -> Double {
        x >= 0
            ? 1 / (1 + exp(-x))
            : {
                let e = exp(x); return e / (1 + e)
            }()
    }
}

#if canImport(Glibc)
    import Glibc  // maths
#endif
