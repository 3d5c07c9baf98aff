import CertCore

/// Convolution over a whole batch: the im2col matrices of all images side by side, so each
/// product is one wide GEMM (training has no batch-invariance constraint: shapes are fixed
/// by the recipe, so runs repeat bit for bit).
final class TrainConv2d: TrainLayer {
    let weight: Parameter
    let bias: Parameter?
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    private var cols: [Float] = []
    private var geometry: ConvGeometry?
    private var batch = 0

    init(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, bias: Bool, init values: ParameterInitializer) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride; self.padding = padding
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(name: "\(name).weight", shape: [outChannels, inChannels, kernel, kernel], value: values.uniform(outChannels * fanIn, fanIn: fanIn))
        self.bias = bias ? Parameter(name: "\(name).bias", shape: [outChannels], value: values.uniform(outChannels, fanIn: fanIn)) : nil
    }

    var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = ConvGeometry(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                             inHeight: x.shape[2], inWidth: x.shape[3])
        geometry = g
        batch = x.batch
        let k = g.patchSize, p = g.outPixels, wide = batch * p
        // cols[k × (b·p)]: image b's im2col block in columns b·p ..< (b+1)·p.
        cols = [Float](repeating: 0, count: k * wide)
        var single = [Float](repeating: 0, count: k * p)
        x.data.withUnsafeBufferPointer { xs in
            cols.withUnsafeMutableBufferPointer { c in
                for b in 0..<batch {
                    Conv2d.im2col(xs.baseAddress! + b * g.inputCount, g, into: &single)
                    for r in 0..<k { for i in 0..<p { c[r * wide + b * p + i] = single[r * p + i] } }
                }
            }
        }
        var flat = [Float](repeating: 0, count: outChannels * wide)
        BLAS.gemm(m: outChannels, n: wide, k: k, a: weight.value, lda: k, b: cols, ldb: wide, c: &flat, ldc: wide)
        var y = Tensor(zeros: [batch, outChannels, g.outHeight, g.outWidth])
        for b in 0..<batch {
            for c in 0..<outChannels {
                let add = bias?.value[c] ?? 0
                let src = c * wide + b * p, dst = (b * outChannels + c) * p
                for i in 0..<p { y.data[dst + i] = flat[src + i] + add }
            }
        }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        let g = geometry!, k = g.patchSize, p = g.outPixels, wide = batch * p
        // dY as [outChannels × (b·p)], the layout of the forward product.
        var flat = [Float](repeating: 0, count: outChannels * wide)
        for b in 0..<batch {
            for c in 0..<outChannels {
                let src = (b * outChannels + c) * p, dst = c * wide + b * p
                for i in 0..<p { flat[dst + i] = dy.data[src + i] }
            }
        }
        // dW += dY · colsᵀ
        BLAS.gemm(transB: true, m: outChannels, n: k, k: wide, a: flat, lda: wide, b: cols, ldb: wide, beta: 1, c: &weight.grad, ldc: k)
        if let bias {
            for c in 0..<outChannels {
                var s: Float = 0
                for i in 0..<wide { s += flat[c * wide + i] }
                bias.grad[c] += s
            }
        }
        // dcols = Wᵀ · dY, then scatter back to the image (col2im).
        var dcols = [Float](repeating: 0, count: k * wide)
        BLAS.gemm(transA: true, m: k, n: wide, k: outChannels, a: weight.value, lda: k, b: flat, ldb: wide, c: &dcols, ldc: wide)
        var dx = Tensor(zeros: [batch, inChannels, g.inHeight, g.inWidth])
        let oh = g.outHeight, ow = g.outWidth
        for b in 0..<batch {
            let base = b * g.inputCount
            var row = 0
            for c in 0..<inChannels {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        for oy in 0..<oh {
                            let iy = oy * stride - padding + ky
                            guard iy >= 0 && iy < g.inHeight else { continue }
                            for ox in 0..<ow {
                                let ix = ox * stride - padding + kx
                                guard ix >= 0 && ix < g.inWidth else { continue }
                                dx.data[base + (c * g.inHeight + iy) * g.inWidth + ix] += dcols[row * wide + b * p + oy * ow + ox]
                            }
                        }
                        row += 1
                    }
                }
            }
        }
        return dx
    }
}
