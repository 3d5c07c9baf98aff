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
    private var gradT: [Float] = []
    private var geometry: ConvGeometry?
    private var batch = 0
    /// False for a network's first layer, whose input gradient nobody reads.
    var computesInputGradient = true

    init(
        name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, bias: Bool,
        init values: ParameterInitializer
    ) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride; self.padding = padding
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(
            name: "\(name).weight", shape: [outChannels, inChannels, kernel, kernel],
            value: values.uniform(outChannels * fanIn, fanIn: fanIn))
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
        let g = ConvGeometry(
            inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
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
        // dWᵀ = cols · dYᵀ, then dW += its transpose: OpenBLAS packs the wide cols matrix
        // much faster in this orientation than as the transposed B of dY · colsᵀ (~1.6× on conv2).
        resize(&gradT, k * outChannels)
        BLAS.gemm(transB: true, m: k, n: outChannels, k: wide, a: cols, lda: wide, b: flat, ldb: wide, c: &gradT, ldc: outChannels)
        weight.grad.withUnsafeMutableBufferPointer { dw in
            gradT.withUnsafeBufferPointer { t in
                for c in 0..<outChannels { for j in 0..<k { dw[c * k + j] += t[j * outChannels + c] } }
            }
        }
        guard computesInputGradient else { return Tensor(zeros: [batch, inChannels, g.inHeight, g.inWidth]) }
        // Per image: dcols = Wᵀ · dY_b, then scatter back to the image (col2im). One image's
        // dcols stays in cache between the product and the scatter; the whole batch's did not.
        resize(&dcols, k * p)
        var dx = Tensor(zeros: [batch, inChannels, g.inHeight, g.inWidth])
        dx.data.withUnsafeMutableBufferPointer { out in
            dcols.withUnsafeMutableBufferPointer { dc in
                weight.value.withUnsafeBufferPointer { w in
                    flat.withUnsafeBufferPointer { f in
                        for b in 0..<batch {
                            BLAS.gemm(
                                transA: true, m: k, n: p, k: outChannels, a: w.baseAddress!, lda: k,
                                b: f.baseAddress! + b * p, ldb: wide, c: dc.baseAddress!, ldc: p)
                            col2im(dc.baseAddress!, g, into: out.baseAddress! + b * g.inputCount)
                        }
                    }
                }
            }
        }
        return dx
    }

    /// Adds one image's dcols [patchSize × outPixels] into its input gradient.
    private func col2im(_ dc: UnsafePointer<Float>, _ g: ConvGeometry, into image: UnsafeMutablePointer<Float>) {
        let oh = g.outHeight, ow = g.outWidth, p = g.outPixels
        var row = 0
        for c in 0..<inChannels {
            let plane = image + c * g.inHeight * g.inWidth
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let src = dc + row * p
                    for oy in 0..<oh {
                        let iy = oy * stride - padding + ky
                        guard iy >= 0 && iy < g.inHeight else { continue }
                        let line = plane + iy * g.inWidth, from = src + oy * ow
                        if stride == 1 && padding == 0 {
                            addRow(from, to: line + kx, count: ow)
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

    /// dst += src over a short row, in 8-wide vectors: rows are a few floats long, where the
    /// compiler's loop (with its runtime aliasing checks) costs more than the additions.
    @inline(__always)
    private func addRow(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        typealias V = SIMD8<Float>
        let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= count {
            let sum = to.loadUnaligned(fromByteOffset: 4 * i, as: V.self) + from.loadUnaligned(fromByteOffset: 4 * i, as: V.self)
            to.storeBytes(of: sum, toByteOffset: 4 * i, as: V.self)
            i += 8
        }
        while i < count { dst[i] += src[i]; i += 1 }
    }
}
