import CertCore

/// y = x·Wᵀ + b on [batch, in] → [batch, out].
final class TrainLinear: TrainLayer {
    let weight: Parameter, bias: Parameter
    let inFeatures: Int, outFeatures: Int
    private var input: Tensor?

    init(name: String, inFeatures: Int, outFeatures: Int, init values: ParameterInitializer) {
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        weight = Parameter(
            name: "\(name).weight", shape: [outFeatures, inFeatures], value: values.uniform(outFeatures * inFeatures, fanIn: inFeatures))
        bias = Parameter(name: "\(name).bias", shape: [outFeatures], value: values.uniform(outFeatures, fanIn: inFeatures))
    }

    var parameters: [Parameter] { [weight, bias] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x
        let b = x.batch
        var y = Tensor(overwriting: [b, outFeatures])
        for i in 0..<b { for o in 0..<outFeatures { y.data[i * outFeatures + o] = bias.value[o] } }
        BLAS.gemm(
            transB: true, m: b, n: outFeatures, k: inFeatures, a: x.data, lda: inFeatures,
            b: weight.value, ldb: inFeatures, beta: 1, c: &y.data, ldc: outFeatures)
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        let x = input!, b = x.batch
        // dW += dYᵀ·X; db += Σ dY; dX = dY·W
        BLAS.gemm(
            transA: true, m: outFeatures, n: inFeatures, k: b, a: dy.data, lda: outFeatures,
            b: x.data, ldb: inFeatures, beta: 1, c: &weight.grad, ldc: inFeatures)
        for i in 0..<b { for o in 0..<outFeatures { bias.grad[o] += dy.data[i * outFeatures + o] } }
        var dx = Tensor(overwriting: [b, inFeatures])
        BLAS.gemm(
            m: b, n: inFeatures, k: outFeatures, a: dy.data, lda: outFeatures,
            b: weight.value, ldb: inFeatures, c: &dx.data, ldc: inFeatures)
        return dx
    }
}
