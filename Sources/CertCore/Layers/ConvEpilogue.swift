import CertKernels

/// What runs on a convolution's product in the same pass as its bias: a ReLU, then 2×2 max
/// pooling with stride 2 (the MNIST CNN's conv → ReLU → pool). One read of the product and
/// one write of the four times smaller result, instead of three passes over the product.
///
/// Bit for bit the unfused layers: each value is `product + bias` (the stem: `product +
/// (s·noise + bias)`), then `max(·, 0)`, then `max(max(a, b), max(c, d))` per window, the
/// same operations in the same order as `Elementwise.relu` and `Pooling.maxPool`.
public struct ConvEpilogue: Hashable, Sendable {
    /// max(·, 0) after the bias.
    public var relu: Bool
    /// 2×2 max pooling, stride 2, unpadded, after the ReLU (if any).
    public var pool: Bool

    /// The bias alone.
    public static let none = ConvEpilogue(relu: false, pool: false)

    /// An epilogue from its two parts.
    public init(relu: Bool, pool: Bool) {
        self.relu = relu
        self.pool = pool
    }

    /// How many layers after the convolution it absorbs (the ReLU, the pooling).
    public var consumedLayers: Int { (relu ? 1 : 0) + (pool ? 1 : 0) }

    /// The [channels, height, width] this epilogue writes for a product of `height` × `width`.
    public func outputShape(channels: Int, height: Int, width: Int) -> [Int] {
        pool ? [channels, height / 2, width / 2] : [channels, height, width]
    }
}

extension Conv2d {
    /// output = epilogue(product + bias), per channel of a [channels × height × width]
    /// product, which it overwrites (bias and ReLU run in place, then the pooling reads it).
    /// `noise` (the stem's W·z_m, same layout) adds `scale · noise` with the bias when `scale`
    /// is not 0. Without pooling `output` may be `product` itself.
    public static func applyEpilogue(
        _ epilogue: ConvEpilogue, product: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
        bias: UnsafePointer<Float>?, noise: UnsafePointer<Float>? = nil, scale: Float = 0,
        output: UnsafeMutablePointer<Float>
    ) {
        let pixels = height * width
        // The kernels' build: 256-bit vectors where CertCore's own build has 128-bit ones.
        if KernelBuild.current == .portable {
            EpilogueKernel.biasReLU(
                product, channels: channels, pixels: pixels, bias: bias, noise: noise, scale: scale, relu: epilogue.relu)
        } else {
            EpilogueKernel.biasReLUHaswell(
                product, channels: channels, pixels: pixels, bias: bias, noise: noise, scale: scale, relu: epilogue.relu)
        }
        if epilogue.pool {
            Pooling.maxPool2x2(
                product, PoolGeometry(channels: channels, inHeight: height, inWidth: width, kernel: 2, stride: 2), output: output)
        } else if UnsafePointer(output) != UnsafePointer(product) {
            output.update(from: product, count: channels * pixels)
        }
    }
}
