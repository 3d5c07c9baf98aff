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
    private var argmax: [Int32] = []
    private var inputShape: [Int] = []
    var parameters: [Parameter] { [] }

    init(kernel: Int, stride: Int, padding: Int, relu: Bool = false) {
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.relu = relu
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        input = nil
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
        var y = Tensor(overwriting: [b, c, oh, ow])
        let (kernel, stride, padding) = (self.kernel, self.stride, self.padding)
        if kernel == 2 && stride == 2 && padding == 0 && h % 2 == 0 && w % 2 == 0 {
            forward2x2(x, &y, planes: b * c, h: h, w: w, oh: oh, ow: ow)
            return rectified(y)
        }
        if argmax.count != y.count { argmax = [Int32](repeating: 0, count: y.count) }
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
                                am[o] = Int32(at)
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

    /// The MNIST CNN's pooling: a branch-free max of each 2×2 window; the winner is found
    /// again in the backward pass (first in row order, as in the general path) instead of
    /// being tracked here, where the comparisons would be unpredictable branches.
    private func forward2x2(_ x: Tensor, _ y: inout Tensor, planes: Int, h: Int, w: Int, oh: Int, ow: Int) {
        input = x
        x.data.withUnsafeBufferPointer { xs in
            y.data.withUnsafeMutableBufferPointer { ys in
                for q in 0..<planes {
                    for oy in 0..<oh {
                        let r0 = xs.baseAddress! + q * h * w + 2 * oy * w, r1 = r0 + w
                        let out = ys.baseAddress! + (q * oh + oy) * ow
                        for ox in 0..<ow {
                            out[ox] = max(max(r0[2 * ox], r0[2 * ox + 1]), max(r1[2 * ox], r1[2 * ox + 1]))
                        }
                    }
                }
            }
        }
        pooled = y.data
    }

    private var input: Tensor?
    private var pooled: [Float] = []

    private func backward2x2(_ dy: Tensor) -> Tensor {
        let (b, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let oh = h / 2, ow = w / 2
        var dx = Tensor(overwriting: inputShape)
        let relu = self.relu
        // Every input cell belongs to exactly one window: each is written once, with the
        // gradient if it is the window's first maximum, else 0. Selects, no branches.
        dx.data.withUnsafeMutableBufferPointer { d in
            input!.data.withUnsafeBufferPointer { xs in
                pooled.withUnsafeBufferPointer { y in
                    dy.data.withUnsafeBufferPointer { g in
                        for q in 0..<(b * c) {
                            for oy in 0..<oh {
                                let r0 = q * h * w + 2 * oy * w, r1 = r0 + w
                                let o0 = (q * oh + oy) * ow
                                for ox in 0..<ow {
                                    let top = y[o0 + ox]
                                    let grad: Float = (relu && !(top > 0)) ? 0 : g[o0 + ox]
                                    let a = r0 + 2 * ox, bb = r1 + 2 * ox
                                    // Integer masks instead of && keep this free of branches.
                                    let e0: Float = xs[a] == top ? 1 : 0, e1: Float = xs[a + 1] == top ? 1 : 0
                                    let e2: Float = xs[bb] == top ? 1 : 0
                                    let m1 = e1 * (1 - e0), m2 = e2 * (1 - e0) * (1 - e1)
                                    d[a] = e0 * grad
                                    d[a + 1] = m1 * grad
                                    d[bb] = m2 * grad
                                    d[bb + 1] = (1 - e0 - m1 - m2) * grad
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    func backward(_ dy: Tensor) -> Tensor {
        if input != nil { return backward2x2(dy) }
        var dx = Tensor(zeros: inputShape)
        dx.data.withUnsafeMutableBufferPointer { d in
            dy.data.withUnsafeBufferPointer { g in
                argmax.withUnsafeBufferPointer { am in
                    output.withUnsafeBufferPointer { y in
                        for o in 0..<g.count where !relu || y[o] > 0 { d[Int(am[o])] += g[o] }
                    }
                }
            }
        }
        return dx
    }
}
