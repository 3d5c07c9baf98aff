/// Adam (Kingma & Ba) with PyTorch's defaults and bias correction.
public final class Adam {
    /// The step size (1e-3 by default, `--lr`).
    public let learningRate: Float
    /// The moment decay rates and the denominator's epsilon (PyTorch's 0.9, 0.999, 1e-8).
    public let beta1: Float, beta2: Float, eps: Float
    private var m: [[Float]], v: [[Float]]
    private var step = 0
    private let parameters: [Parameter]

    /// An optimiser over the trainable ones among `parameters` (running statistics are skipped).
    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.parameters = parameters.filter(\.trainable)
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        m = self.parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    /// One step on every parameter from its accumulated `grad`; the caller zeroes the gradients
    /// between steps.
    public func update() {
        step += 1
        // torch.optim.Adam's arithmetic: p −= (lr/c1)·m / (√v/√c2 + ε), two divisions per
        // value instead of three (the update is bound by division and square-root throughput).
        let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
        let (b1, b2, eps) = (beta1, beta2, eps)
        let stepSize = learningRate / c1, root2 = c2.squareRoot()
        for (j, p) in parameters.enumerated() {
            let n = p.value.count
            p.value.withUnsafeMutableBufferPointer { value in
                p.grad.withUnsafeBufferPointer { grad in
                    m[j].withUnsafeMutableBufferPointer { m in
                        v[j].withUnsafeMutableBufferPointer { v in
                            // Eight lanes at a time: the four arrays cannot alias, but the
                            // compiler cannot know that, so the loop is vectorised by hand.
                            typealias V = SIMD8<Float>
                            let (pv, pg, pm, pq) = (
                                UnsafeMutableRawPointer(value.baseAddress!), UnsafeRawPointer(grad.baseAddress!),
                                UnsafeMutableRawPointer(m.baseAddress!), UnsafeMutableRawPointer(v.baseAddress!)
                            )
                            var i = 0
                            while i + 8 <= n {
                                let o = 4 * i
                                let g = pg.loadUnaligned(fromByteOffset: o, as: V.self)
                                let mi = b1 * pm.loadUnaligned(fromByteOffset: o, as: V.self) + (1 - b1) * g
                                let vi = b2 * pq.loadUnaligned(fromByteOffset: o, as: V.self) + (1 - b2) * g * g
                                let step = stepSize * (mi / (vi.squareRoot() / root2 + eps))
                                pm.storeBytes(of: mi, toByteOffset: o, as: V.self)
                                pq.storeBytes(of: vi, toByteOffset: o, as: V.self)
                                pv.storeBytes(of: pv.loadUnaligned(fromByteOffset: o, as: V.self) - step, toByteOffset: o, as: V.self)
                                i += 8
                            }
                            while i < n {
                                let g = grad[i]
                                m[i] = b1 * m[i] + (1 - b1) * g
                                v[i] = b2 * v[i] + (1 - b2) * g * g
                                value[i] -= stepSize * (m[i] / (v[i].squareRoot() / root2 + eps))
                                i += 1
                            }
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc  // maths
#endif
