import CertKernels
import CertKernelsAVX512

/// Geometry of one 2-D convolution on a single CHW image.
public struct ConvGeometry: Hashable, Sendable {
    /// C_in, the input image's channels.
    public var inChannels: Int
    /// C_out, the output channels (rows of the weight matrix).
    public var outChannels: Int
    /// k: the kernel is k×k.
    public var kernel: Int
    /// Step between output pixels, in input pixels (both directions).
    public var stride: Int
    /// Zero rows and columns added on every side.
    public var padding: Int
    /// Input height in pixels.
    public var inHeight: Int
    /// Input width in pixels.
    public var inWidth: Int

    /// A geometry; the output size follows from it (`outHeight`, `outWidth`).
    public init(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
        inHeight: Int, inWidth: Int
    ) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel
        self.stride = stride; self.padding = padding; self.inHeight = inHeight; self.inWidth = inWidth
    }

    /// floor((H + 2·padding − k) / stride) + 1.
    public var outHeight: Int { (inHeight + 2 * padding - kernel) / stride + 1 }
    /// floor((W + 2·padding − k) / stride) + 1.
    public var outWidth: Int { (inWidth + 2 * padding - kernel) / stride + 1 }
    /// Rows of the im2col matrix: one per (input channel, kernel row, kernel column).
    public var patchSize: Int { inChannels * kernel * kernel }
    /// Columns of the im2col matrix: outHeight × outWidth.
    public var outPixels: Int { outHeight * outWidth }
    /// Floats in one input image, C_in·H·W.
    public var inputCount: Int { inChannels * inHeight * inWidth }
    /// Floats in one output image, C_out·outPixels.
    public var outputCount: Int { outChannels * outPixels }
    /// A 1×1, stride-1, unpadded convolution reads the image itself as its im2col matrix.
    public var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }
    /// Floats in the weight, C_out·C_in·k·k (PyTorch's [out, in, k, k], row-major).
    public var weightCount: Int { outChannels * patchSize }
}

/// Convolution as im2col + one SGEMM per image. One GEMM per image (rather than one per
/// batch) keeps every product the same shape whatever the batch, which is what makes the
/// results bit-identical for any batch size: OpenBLAS picks kernels by shape.
public enum Conv2d {
    /// cols[patchSize × outPixels], zero where the patch overhangs the padding. `rowStride`
    /// (default outPixels) lets training lay a batch's matrices side by side.
    public static func im2col(
        _ input: UnsafePointer<Float>, _ g: ConvGeometry, into cols: UnsafeMutablePointer<Float>,
        rowStride: Int? = nil
    ) {
        let oh = g.outHeight, ow = g.outWidth, k = g.kernel
        let stride = rowStride ?? oh * ow
        if g.stride == 1 && g.padding == 0 { return im2colUnpadded(input, g, into: cols, rowStride: stride) }
        var row = 0
        for c in 0..<g.inChannels {
            let plane = input + c * g.inHeight * g.inWidth
            for ky in 0..<k {
                for kx in 0..<k {
                    let dst = cols + row * stride
                    for oy in 0..<oh {
                        let iy = oy * g.stride - g.padding + ky
                        let line = dst + oy * ow
                        if iy < 0 || iy >= g.inHeight {
                            line.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + iy * g.inWidth
                        if g.stride == 1 && g.padding == 0 {
                            copyRow(from: src + kx, to: line, count: ow)
                        } else if g.stride == 1 {
                            // Contiguous run: copy the valid middle, zero the overhangs.
                            let shift = kx - g.padding
                            let lo = max(0, -shift), hi = min(ow, g.inWidth - shift)
                            for ox in 0..<ow { line[ox] = (ox >= lo && ox < hi) ? src[ox + shift] : 0 }
                        } else {
                            for ox in 0..<ow {
                                let ix = ox * g.stride - g.padding + kx
                                line[ox] = (ix >= 0 && ix < g.inWidth) ? src[ix] : 0
                            }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// The unit-stride, unpadded case (the MNIST CNN's second convolution): every row of the
    /// matrix is `outHeight` windows of `outWidth` consecutive input values, copied without
    /// any per-pixel test (`EpilogueKernel.im2colUnpadded`, in the kernels' build). Same values
    /// as the general loop.
    private static func im2colUnpadded(
        _ input: UnsafePointer<Float>, _ g: ConvGeometry, into cols: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        if KernelBuild.current == .portable {
            EpilogueKernel.im2colUnpadded(
                input, inChannels: g.inChannels, inHeight: g.inHeight, inWidth: g.inWidth, kernel: g.kernel, into: cols,
                rowStride: rowStride)
        } else {
            EpilogueKernel.im2colUnpaddedHaswell(
                input, inChannels: g.inChannels, inHeight: g.inHeight, inWidth: g.inWidth, kernel: g.kernel, into: cols,
                rowStride: rowStride)
        }
    }

    /// Short row copy in 8-wide vectors (`EpilogueKernel.copyRow`).
    @inline(__always)
    static func copyRow(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        EpilogueKernel.copyRow(from: src, to: dst, count: count)
    }

    /// output[outChannels × outPixels] = W · cols (+ bias). `cols` is scratch of at least
    /// patchSize × outPixels floats (unused for pointwise convolutions).
    public static func forward(
        _ input: UnsafePointer<Float>, _ g: ConvGeometry,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        scratch cols: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let source: UnsafePointer<Float>
        if g.isPointwise {
            source = input
        } else {
            im2col(input, g, into: cols)
            source = UnsafePointer(cols)
        }
        multiply(cols: source, g, weight: weight, bias: bias, output: output)
    }

    /// The GEMM half of `forward`, for callers that prepared the im2col matrix themselves.
    public static func multiply(
        cols: UnsafePointer<Float>, _ g: ConvGeometry,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        let n = g.outPixels
        product(weight: weight, columns: cols, output: output, channels: g.outChannels, depth: g.patchSize, pixels: n)
        if let bias { addChannelBias(output, bias, channels: g.outChannels, pixels: n) }
    }

    /// Y = W·X by `CertKernels.ConvKernel` in the build `KernelBuild.current` names: the same
    /// bits in every build, alone or in any batch.
    static func product(
        weight: UnsafePointer<Float>, columns: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        channels: Int, depth: Int, pixels: Int
    ) {
        switch KernelBuild.current {
        case .avx512:
            ConvKernelAVX512.product(weight: weight, columns: columns, output: output, channels: channels, depth: depth, pixels: pixels)
        case .avx2:
            ConvKernel.productAVX2(weight: weight, columns: columns, output: output, channels: channels, depth: depth, pixels: pixels)
        case .portable:
            ConvKernel.product(
                SIMD8<Float>.self, weight: weight, columns: columns, output: output, channels: channels, depth: depth, pixels: pixels)
        }
    }

    @inline(__always)
    static func addChannelBias(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, channels: Int, pixels: Int) {
        for c in 0..<channels {
            let b = bias[c]
            let p = x + c * pixels
            for i in 0..<pixels { p[i] += b }
        }
    }
}
