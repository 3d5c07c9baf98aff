import CertCore

/// Convolution over a whole batch: the im2col matrices of all images side by side, so each
/// product is one wide GEMM (training has no batch-invariance constraint: shapes are fixed
/// by the recipe, so runs repeat bit for bit).
final class TrainConv2d: TrainLayer {
    let weight: Parameter
    let bias: Parameter?
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    // Scratch reused from batch to batch (same shapes every step).
    private var cols: [Float] = []
    private var flat: [Float] = []
    private var dcols: [Float] = []
    private var geometry: ConvGeometry?
    private var batch = 0
    /// False for a network's first layer, whose input gradient nobody reads.
    var computesInputGradient = true

    init(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, bias: Bool, init values: ParameterInitializer) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride; self.padding = padding
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(name: "\(name).weight", shape: [outChannels, inChannels, kernel, kernel], value: values.uniform(outChannels * fanIn, fanIn: fanIn))
        self.bias = bias ? Parameter(name: "\(name).bias", shape: [outChannels], value: values.uniform(outChannels, fanIn: fanIn)) : nil
    }

    var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    private func resize(_ buffer: inout [Float], _ count: Int) {
        if buffer.count != count { buffer = [Float](repeating: 0, count: count) }
    }

    /// Bias-free product W·cols into `flat`, [outChannels × (b·p)]; returns the geometry.
    /// A fused successor (TrainConvPool) reads `flat` in this layout directly.
    @discardableResult
    func product(_ x: Tensor) -> ConvGeometry {
        let g = ConvGeometry(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                             inHeight: x.shape[2], inWidth: x.shape[3])
        geometry = g
        batch = x.batch
        let k = g.patchSize, p = g.outPixels, wide = batch * p
        // cols[k × (b·p)]: image b's im2col block in columns b·p ..< (b+1)·p.
        resize(&cols, k * wide)
        x.data.withUnsafeBufferPointer { xs in
            cols.withUnsafeMutableBufferPointer { c in
                for b in 0..<batch {
                    Conv2d.im2col(xs.baseAddress! + b * g.inputCount, g, into: c.baseAddress! + b * p, rowStride: wide)
                }
            }
        }
        resize(&flat, outChannels * wide)
        BLAS.gemm(m: outChannels, n: wide, k: k, a: weight.value, lda: k, b: cols, ldb: wide, c: &flat, ldc: wide)
        return g
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = product(x), p = g.outPixels, wide = batch * p
        var y = Tensor(overwriting: [batch, outChannels, g.outHeight, g.outWidth])
        let biases = bias?.value ?? [Float](repeating: 0, count: outChannels)
        y.data.withUnsafeMutableBufferPointer { out in
            flat.withUnsafeBufferPointer { f in
                for b in 0..<batch {
                    for c in 0..<outChannels {
                        let add = biases[c]
                        let src = f.baseAddress! + c * wide + b * p, dst = out.baseAddress! + (b * outChannels + c) * p
                        for i in 0..<p { dst[i] = src[i] + add }
                    }
                }
            }
        }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        let g = geometry!, p = g.outPixels, wide = batch * p
        // dY as [outChannels × (b·p)], the layout of the forward product.
        dy.data.withUnsafeBufferPointer { d in
            flat.withUnsafeMutableBufferPointer { f in
                for b in 0..<batch {
                    for c in 0..<outChannels {
                        (f.baseAddress! + c * wide + b * p).update(from: d.baseAddress! + (b * outChannels + c) * p, count: p)
                    }
                }
            }
        }
        if let bias {
            flat.withUnsafeBufferPointer { f in
                for c in 0..<outChannels {
                    var s: Float = 0
                    let row = f.baseAddress! + c * wide
                    for i in 0..<wide { s += row[i] }
                    bias.grad[c] += s
                }
            }
        }
        return backwardFromFlat()
    }

    /// Scratch for a fused successor to write dY into, [outChannels × (b·p)].
    func withGradientBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
        flat.withUnsafeMutableBufferPointer { body($0) }
    }

    /// dW and dX from dY in `flat`; the bias gradient is the caller's.
    func backwardFromFlat() -> Tensor {
        let g = geometry!, k = g.patchSize, p = g.outPixels, wide = batch * p
        // dW += dY · colsᵀ
        BLAS.gemm(transB: true, m: outChannels, n: k, k: wide, a: flat, lda: wide, b: cols, ldb: wide, beta: 1, c: &weight.grad, ldc: k)
        guard computesInputGradient else { return Tensor(zeros: [batch, inChannels, g.inHeight, g.inWidth]) }
        // dcols = Wᵀ · dY, then scatter back to the image (col2im).
        resize(&dcols, k * wide)
        BLAS.gemm(transA: true, m: k, n: wide, k: outChannels, a: weight.value, lda: k, b: flat, ldb: wide, c: &dcols, ldc: wide)
        var dx = Tensor(zeros: [batch, inChannels, g.inHeight, g.inWidth])
        let oh = g.outHeight, ow = g.outWidth
        dx.data.withUnsafeMutableBufferPointer { out in
            dcols.withUnsafeBufferPointer { dc in
                for b in 0..<batch {
                    let image = out.baseAddress! + b * g.inputCount
                    var row = 0
                    for c in 0..<inChannels {
                        let plane = image + c * g.inHeight * g.inWidth
                        for ky in 0..<kernel {
                            for kx in 0..<kernel {
                                let src = dc.baseAddress! + row * wide + b * p
                                for oy in 0..<oh {
                                    let iy = oy * stride - padding + ky
                                    guard iy >= 0 && iy < g.inHeight else { continue }
                                    let line = plane + iy * g.inWidth, from = src + oy * ow
                                    if stride == 1 && padding == 0 {
                                        let shifted = line + kx
                                        for ox in 0..<ow { shifted[ox] += from[ox] }
                                        continue
                                    }
                                    for ox in 0..<ow {
                                        let ix = ox * stride - padding + kx
                                        if ix >= 0 && ix < g.inWidth { line[ix] += from[ox] }
                                    }
                                }
                                row += 1
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
