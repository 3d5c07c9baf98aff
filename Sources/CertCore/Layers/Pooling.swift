import CertKernels

/// Max pooling on one CHW image; padded cells never win (they count as -infinity, as in PyTorch).
public struct PoolGeometry: Hashable, Sendable {
    /// Input channels and size, the square window, its step and the padding (all in pixels).
    public var channels: Int, inHeight: Int, inWidth: Int, kernel: Int, stride: Int, padding: Int
    /// A geometry; the output size follows from it.
    public init(channels: Int, inHeight: Int, inWidth: Int, kernel: Int, stride: Int, padding: Int = 0) {
        self.channels = channels; self.inHeight = inHeight; self.inWidth = inWidth
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }
    /// floor((H + 2·padding − kernel) / stride) + 1.
    public var outHeight: Int { (inHeight + 2 * padding - kernel) / stride + 1 }
    /// floor((W + 2·padding − kernel) / stride) + 1.
    public var outWidth: Int { (inWidth + 2 * padding - kernel) / stride + 1 }
}

/// The pooling layers on one CHW image.
public enum Pooling {
    /// Max over each window of every channel into `output` (C × outHeight × outWidth); 2×2 stride 2
    /// takes a fast path with the same result.
    public static func maxPool(_ input: UnsafePointer<Float>, _ g: PoolGeometry, output: UnsafeMutablePointer<Float>) {
        if g.kernel == 2, g.stride == 2, g.padding == 0 { return maxPool2x2(input, g, output: output) }
        let oh = g.outHeight, ow = g.outWidth
        for c in 0..<g.channels {
            let src = input + c * g.inHeight * g.inWidth
            let dst = output + c * oh * ow
            for oy in 0..<oh {
                let y0 = max(0, oy * g.stride - g.padding), y1 = min(g.inHeight, oy * g.stride - g.padding + g.kernel)
                for ox in 0..<ow {
                    let x0 = max(0, ox * g.stride - g.padding), x1 = min(g.inWidth, ox * g.stride - g.padding + g.kernel)
                    var best = -Float.infinity
                    for y in y0..<y1 {
                        let line = src + y * g.inWidth
                        for x in x0..<x1 { best = larger(best, line[x]) }
                    }
                    dst[oy * ow + ox] = best
                }
            }
        }
    }

    /// The MNIST CNN's pooling, without the bounds arithmetic of the general case (it was
    /// the largest non-BLAS cost of a forward pass): `EpilogueKernel.maxPool2x2`, in the
    /// kernels' build. A NaN anywhere in a window makes it NaN, so a broken model's output is
    /// still caught.
    static func maxPool2x2(_ input: UnsafePointer<Float>, _ g: PoolGeometry, output: UnsafeMutablePointer<Float>) {
        if KernelBuild.current == .portable {
            EpilogueKernel.maxPool2x2(input, channels: g.channels, height: g.inHeight, width: g.inWidth, output: output)
        } else {
            EpilogueKernel.maxPool2x2Haswell(input, channels: g.channels, height: g.inHeight, width: g.inWidth, output: output)
        }
    }

    /// The larger of two values, a NaN over anything (`EpilogueKernel.larger`).
    @inline(__always)
    static func larger(_ a: Float, _ b: Float) -> Float { EpilogueKernel.larger(a, b) }

    /// Mean over each channel's whole plane (the ResNets' final pooling).
    public static func globalAveragePool(_ input: UnsafePointer<Float>, channels: Int, pixels: Int, output: UnsafeMutablePointer<Float>) {
        let scale = 1 / Float(pixels)
        for c in 0..<channels {
            let p = input + c * pixels
            var sum: Float = 0
            for i in 0..<pixels { sum += p[i] }
            output[c] = sum * scale
        }
    }
}
