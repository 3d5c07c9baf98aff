final class TrainReLU: TrainLayer {
    private var output: [Float] = []
    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        var y = x
        y.data.withUnsafeMutableBufferPointer { v in for i in 0..<v.count { v[i] = max(v[i], 0) } }
        output = y.data
        return y
    }

    /// Passes the gradient where the output was positive.
    func backward(_ dy: Tensor) -> Tensor {
        var dx = dy
        dx.data.withUnsafeMutableBufferPointer { d in
            output.withUnsafeBufferPointer { y in for i in 0..<d.count { d[i] = y[i] > 0 ? d[i] : 0 } }
        }
        return dx
    }
}

/// [B, C, H, W] → [B, C·H·W], channel-major as PyTorch's flatten.
final class TrainFlatten: TrainLayer {
    private var inputShape: [Int] = []
    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        return Tensor(shape: [x.batch, x.itemCount], data: x.data)
    }

    func backward(_ dy: Tensor) -> Tensor { Tensor(shape: inputShape, data: dy.data) }
}

final class TrainGlobalAvgPool: TrainLayer {
    private var inputShape: [Int] = []
    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        let planes = x.shape[0] * x.shape[1], pixels = x.shape[2] * x.shape[3]
        var y = Tensor(zeros: [x.shape[0], x.shape[1], 1, 1])
        for q in 0..<planes {
            var s: Float = 0
            for i in 0..<pixels { s += x.data[q * pixels + i] }
            y.data[q] = s / Float(pixels)
        }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        let pixels = inputShape[2] * inputShape[3]
        var dx = Tensor(zeros: inputShape)
        for q in 0..<dy.count {
            let g = dy.data[q] / Float(pixels)
            for i in 0..<pixels { dx.data[q * pixels + i] = g }
        }
        return dx
    }
}

/// Max pooling; remembers the winning input of every output for the backward pass. With
/// `relu`, it is ReLU followed by pooling (the same function, computed after the pooling).
final class TrainMaxPool: TrainLayer {
    let kernel: Int, stride: Int, padding: Int
    let relu: Bool
    private var argmax: [Int] = []
    private var inputShape: [Int] = []
    var parameters: [Parameter] { [] }

    init(kernel: Int, stride: Int, padding: Int, relu: Bool = false) {
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.relu = relu
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
        var y = Tensor(zeros: [b, c, oh, ow])
        argmax = [Int](repeating: 0, count: y.count)
        let (kernel, stride, padding) = (self.kernel, self.stride, self.padding)
        if kernel == 2 && stride == 2 && padding == 0 {
            forward2x2(x, &y, planes: b * c, h: h, w: w, oh: oh, ow: ow)
            return rectified(y)
        }
        x.data.withUnsafeBufferPointer { xs in
            y.data.withUnsafeMutableBufferPointer { ys in
                argmax.withUnsafeMutableBufferPointer { am in
                    for q in 0..<(b * c) {
                        let base = q * h * w
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                var best = -Float.infinity, at = -1
                                for ky in 0..<kernel {
                                    let iy = oy * stride - padding + ky
                                    guard iy >= 0 && iy < h else { continue }
                                    for kx in 0..<kernel {
                                        let ix = ox * stride - padding + kx
                                        guard ix >= 0 && ix < w else { continue }
                                        let v = xs[base + iy * w + ix]
                                        if v > best || at < 0 { best = v; at = base + iy * w + ix }
                                    }
                                }
                                let o = (q * oh + oy) * ow + ox
                                ys[o] = best
                                am[o] = at
                            }
                        }
                    }
                }
            }
        }
        return rectified(y)
    }

    private func rectified(_ y: Tensor) -> Tensor {
        guard relu else { return y }
        var y = y
        y.data.withUnsafeMutableBufferPointer { v in for i in 0..<v.count { v[i] = max(v[i], 0) } }
        output = y.data
        return y
    }

    private var output: [Float] = []

    /// The MNIST CNN's pooling without the general bounds logic; ties go to the first
    /// cell in row order, as in the general path.
    private func forward2x2(_ x: Tensor, _ y: inout Tensor, planes: Int, h: Int, w: Int, oh: Int, ow: Int) {
        x.data.withUnsafeBufferPointer { xs in
            y.data.withUnsafeMutableBufferPointer { ys in
                argmax.withUnsafeMutableBufferPointer { am in
                    for q in 0..<planes {
                        for oy in 0..<oh {
                            let r0 = q * h * w + 2 * oy * w, r1 = r0 + w
                            for ox in 0..<ow {
                                var at = r0 + 2 * ox
                                if xs[r0 + 2 * ox + 1] > xs[at] { at = r0 + 2 * ox + 1 }
                                if xs[r1 + 2 * ox] > xs[at] { at = r1 + 2 * ox }
                                if xs[r1 + 2 * ox + 1] > xs[at] { at = r1 + 2 * ox + 1 }
                                let o = (q * oh + oy) * ow + ox
                                ys[o] = xs[at]
                                am[o] = at
                            }
                        }
                    }
                }
            }
        }
    }

    func backward(_ dy: Tensor) -> Tensor {
        var dx = Tensor(zeros: inputShape)
        dx.data.withUnsafeMutableBufferPointer { d in
            dy.data.withUnsafeBufferPointer { g in
                argmax.withUnsafeBufferPointer { am in
                    output.withUnsafeBufferPointer { y in
                        for o in 0..<g.count where !relu || y[o] > 0 { d[am[o]] += g[o] }
                    }
                }
            }
        }
        return dx
    }
}
