import CertCore

/// Convolution, ReLU and 2×2 max pooling as one layer. The pooling reads the convolution's
/// product in its GEMM layout ([channels × (b·p)]) and its backward pass writes dY straight
/// back into that layout, so the full-size pre-pooling tensor is never copied into NCHW and
/// back, and the bias (added inside the pooling) gets its gradient from the pooled values.
/// Same function and same subgradient as the three layers: the first maximum of each window
/// in row order wins, and outputs the ReLU zeroed pass nothing back.
final class TrainConvPool: TrainLayer {
    let conv: TrainConv2d
    /// For conv outputs of odd size: the unfused pair.
    private let fallback = TrainMaxPool(kernel: 2, stride: 2, padding: 0, relu: true)
    private var fused = true
    /// Per pooled output: the winner's index in its window (0...3), plus `dead` if ReLU cut it.
    private var winner: [UInt8] = []
    private var pooledShape: [Int] = []
    private static let dead: UInt8 = 4

    init(conv: TrainConv2d) { self.conv = conv }

    var parameters: [Parameter] { conv.parameters }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let h = (x.shape[2] + 2 * conv.padding - conv.kernel) / conv.stride + 1
        let w = (x.shape[3] + 2 * conv.padding - conv.kernel) / conv.stride + 1
        fused = h % 2 == 0 && w % 2 == 0
        guard fused else { return fallback.forward(conv.forward(x, training: training), training: training) }
        conv.product(x)
        let batch = x.batch, channels = conv.outChannels, oh = h / 2, ow = w / 2, p = h * w, wide = batch * p
        pooledShape = [batch, channels, oh, ow]
        var y = Tensor(overwriting: pooledShape)
        if winner.count != y.count { winner = [UInt8](repeating: 0, count: y.count) }
        let biases = conv.bias?.value ?? [Float](repeating: 0, count: channels)
        conv.withGradientBuffer { f in
            y.data.withUnsafeMutableBufferPointer { ys in
                winner.withUnsafeMutableBufferPointer { win in
                    for b in 0..<batch {
                        for c in 0..<channels {
                            let plane = f.baseAddress! + c * wide + b * p, add = biases[c]
                            let o = (b * channels + c) * oh * ow
                            for oy in 0..<oh {
                                let r0 = plane + 2 * oy * w, r1 = r0 + w
                                for ox in 0..<ow {
                                    let o = o + oy * ow + ox
                                    let v0 = r0[2 * ox] + add, v1 = r0[2 * ox + 1] + add
                                    let v2 = r1[2 * ox] + add, v3 = r1[2 * ox + 1] + add
                                    let top = max(max(v0, v1), max(v2, v3))
                                    // Arithmetic on 0/1 flags, not branches: which cell wins is
                                    // data, and mispredicted branches cost more than the pooling.
                                    let n0 = bit(v0 != top), n1 = bit(v1 != top), n2 = bit(v2 != top)
                                    win[o] = n0 &* (1 &+ n1 &* (1 &+ n2)) | (bit(!(top > 0)) << 2)
                                    ys[o] = top > 0 ? top : 0
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard fused else { return conv.backward(fallback.backward(dy)) }
        let (batch, channels, oh, ow) = (pooledShape[0], pooledShape[1], pooledShape[2], pooledShape[3])
        let w = 2 * ow, p = 4 * oh * ow, wide = batch * p
        var biasGrad = [Float](repeating: 0, count: channels)
        conv.withGradientBuffer { f in
            f.update(repeating: 0)
            dy.data.withUnsafeBufferPointer { g in
                winner.withUnsafeBufferPointer { win in
                    for b in 0..<batch {
                        for c in 0..<channels {
                            let plane = f.baseAddress! + c * wide + b * p
                            let o = (b * channels + c) * oh * ow
                            var s: Float = 0
                            for oy in 0..<oh {
                                for ox in 0..<ow {
                                    let at = win[o + oy * ow + ox]
                                    let grad = at & Self.dead != 0 ? 0 : g[o + oy * ow + ox]
                                    let a = Int(at & 3)
                                    plane[(2 * oy + (a >> 1)) * w + 2 * ox + (a & 1)] = grad
                                    s += grad
                                }
                            }
                            biasGrad[c] += s
                        }
                    }
                }
            }
        }
        if let bias = conv.bias { for c in 0..<channels { bias.grad[c] += biasGrad[c] } }
        return conv.backwardFromFlat()
    }
}

/// 0 or 1 without a branch (a Bool is one byte holding 0 or 1).
@inline(__always) private func bit(_ b: Bool) -> UInt8 { unsafeBitCast(b, to: UInt8.self) }
