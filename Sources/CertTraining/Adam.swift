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
        for (j, p) in parameters.enumerated() {
            for i in p.value.indices {
                let g = p.grad[i]
                m[j][i] = beta1 * m[j][i] + (1 - beta1) * g
                v[j][i] = beta2 * v[j][i] + (1 - beta2) * g * g
                p.value[i] -= learningRate * (m[j][i] / c1) / ((v[j][i] / c2).squareRoot() + eps)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
