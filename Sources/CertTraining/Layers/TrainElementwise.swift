final class TrainReLU: TrainLayer {
    private var mask: [Bool] = []
    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        var y = x
        mask = x.data.map { $0 > 0 }
        for i in y.data.indices where !mask[i] { y.data[i] = 0 }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        var dx = dy
        for i in dx.data.indices where !mask[i] { dx.data[i] = 0 }
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

/// Max pooling; remembers the winning input of every output for the backward pass.
final class TrainMaxPool: TrainLayer {
    let kernel: Int, stride: Int, padding: Int
    private var argmax: [Int] = []
    private var inputShape: [Int] = []
    var parameters: [Parameter] { [] }

    init(kernel: Int, stride: Int, padding: Int) { self.kernel = kernel; self.stride = stride; self.padding = padding }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
        var y = Tensor(zeros: [b, c, oh, ow])
        argmax = [Int](repeating: 0, count: y.count)
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
                            let v = x.data[base + iy * w + ix]
                            if v > best || at < 0 { best = v; at = base + iy * w + ix }
                        }
                    }
                    let o = (q * oh + oy) * ow + ox
                    y.data[o] = best
                    argmax[o] = at
                }
            }
        }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        var dx = Tensor(zeros: inputShape)
        for o in 0..<dy.count { dx.data[argmax[o]] += dy.data[o] }
        return dx
    }
}
