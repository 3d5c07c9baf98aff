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
                                // Four windows at a time from two 8-float rows; the scalar
                                // loop below finishes the row with the same arithmetic.
                                var ox = 0
                                while ox + 4 <= ow {
                                    let o = o + oy * ow + ox
                                    pool4(r0 + 2 * ox, r1 + 2 * ox, add, winner: win.baseAddress! + o, out: ys.baseAddress! + o)
                                    ox += 4
                                }
                                for ox in ox..<ow {
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
        // Every cell of the pre-pooling gradient is written exactly once (the winner gets the
        // gradient, the other three 0), so the buffer needs no clearing first.
        conv.withGradientBuffer { f in
            dy.data.withUnsafeBufferPointer { g in
                winner.withUnsafeBufferPointer { win in
                    for b in 0..<batch {
                        for c in 0..<channels {
                            let plane = f.baseAddress! + c * wide + b * p
                            let o = (b * channels + c) * oh * ow
                            var s: Float = 0
                            for oy in 0..<oh {
                                let r0 = plane + 2 * oy * w, r1 = r0 + w
                                var ox = 0
                                while ox + 4 <= ow {
                                    let o = o + oy * ow + ox
                                    s += unpool4(g.baseAddress! + o, win.baseAddress! + o, r0 + 2 * ox, r1 + 2 * ox)
                                    ox += 4
                                }
                                for ox in ox..<ow {
                                    let at = win[o + oy * ow + ox]
                                    let grad = at & Self.dead != 0 ? 0 : g[o + oy * ow + ox]
                                    r0[2 * ox] = at == 0 ? grad : 0
                                    r0[2 * ox + 1] = at == 1 ? grad : 0
                                    r1[2 * ox] = at == 2 ? grad : 0
                                    r1[2 * ox + 1] = at == 3 ? grad : 0
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

/// Four 2×2 windows: the two rows' even and odd lanes are the windows' four cells.
@inline(__always)
private func pool4(
    _ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, _ add: Float,
    winner: UnsafeMutablePointer<UInt8>, out: UnsafeMutablePointer<Float>
) {
    typealias V = SIMD4<Float>
    let a = UnsafeRawPointer(r0).loadUnaligned(as: SIMD8<Float>.self), b = UnsafeRawPointer(r1).loadUnaligned(as: SIMD8<Float>.self)
    let bias = V(repeating: add)
    let v0 = a.evenHalf + bias, v1 = a.oddHalf + bias, v2 = b.evenHalf + bias, v3 = b.oddHalf + bias
    // Selects, not pointwiseMax: the stdlib's generic NaN-aware version is not inlined.
    func larger(_ x: V, _ y: V) -> V { x.replacing(with: y, where: y .> x) }
    let best = larger(larger(v0, v1), larger(v2, v3))
    let zero = SIMD4<Int32>(repeating: 0), one = SIMD4<Int32>(repeating: 1)
    let n0 = zero.replacing(with: one, where: v0 .!= best), n1 = zero.replacing(with: one, where: v1 .!= best)
    let n2 = zero.replacing(with: one, where: v2 .!= best), dead = zero.replacing(with: 4, where: .!(best .> 0))
    let code = n0 &* (one &+ n1 &* (one &+ n2)) | dead
    UnsafeMutableRawPointer(winner).storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: code), as: SIMD4<UInt8>.self)
    UnsafeMutableRawPointer(out).storeBytes(of: V(repeating: 0).replacing(with: best, where: best .> 0), as: V.self)
}

/// Backward of `pool4`: writes the four windows' eight cells of each row; returns the sum of
/// the gradients passed (the bias gradient's share).
@inline(__always)
private func unpool4(
    _ g: UnsafePointer<Float>, _ winner: UnsafePointer<UInt8>,
    _ r0: UnsafeMutablePointer<Float>, _ r1: UnsafeMutablePointer<Float>
) -> Float {
    typealias V = SIMD4<Float>
    let code = SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(winner).loadUnaligned(as: SIMD4<UInt8>.self))
    let zero = V(repeating: 0)
    let grad = UnsafeRawPointer(g).loadUnaligned(as: V.self)
    let c0 = zero.replacing(with: grad, where: code .== 0), c1 = zero.replacing(with: grad, where: code .== 1)
    let c2 = zero.replacing(with: grad, where: code .== 2), c3 = zero.replacing(with: grad, where: code .== 3)
    func interleave(_ e: V, _ o: V) -> SIMD8<Float> { SIMD8(e[0], o[0], e[1], o[1], e[2], o[2], e[3], o[3]) }
    UnsafeMutableRawPointer(r0).storeBytes(of: interleave(c0, c1), as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(r1).storeBytes(of: interleave(c2, c3), as: SIMD8<Float>.self)
    let live = c0 + c1 + c2 + c3
    return live[0] + live[1] + live[2] + live[3]
}
