/// Adam (Kingma & Ba) with PyTorch's defaults and bias correction.
public final class Adam {
    public let learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float
    private var m: [[Float]], v: [[Float]]
    private var step = 0
    private let parameters: [Parameter]

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.parameters = parameters.filter(\.trainable)
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        m = self.parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    public func update() {
        step += 1
        let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
        let (b1, b2, lr, eps) = (beta1, beta2, learningRate, eps)
        for (j, p) in parameters.enumerated() {
            let n = p.value.count
            p.value.withUnsafeMutableBufferPointer { value in
                p.grad.withUnsafeBufferPointer { grad in
                    m[j].withUnsafeMutableBufferPointer { m in
                        v[j].withUnsafeMutableBufferPointer { v in
                            for i in 0..<n {
                                let g = grad[i]
                                m[i] = b1 * m[i] + (1 - b1) * g
                                v[i] = b2 * v[i] + (1 - b2) * g * g
                                value[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
