/// BatchNorm2d as PyTorch: batch statistics while training (biased variance to normalise,
/// unbiased for the running estimate, momentum 0.1), running statistics otherwise.
final class TrainBatchNorm: TrainLayer {
    let weight: Parameter, bias: Parameter, runningMean: Parameter, runningVar: Parameter
    let channels: Int
    let eps: Float = 1e-5, momentum: Float = 0.1
    private var normalized: [Float] = []
    private var inverseStd: [Float] = []
    private var shape: [Int] = []
    private var usedBatchStatistics = true

    init(name: String, channels: Int) {
        self.channels = channels
        weight = Parameter(name: "\(name).weight", shape: [channels], value: [Float](repeating: 1, count: channels))
        bias = Parameter(name: "\(name).bias", shape: [channels], value: [Float](repeating: 0, count: channels))
        runningMean = Parameter(
            name: "\(name).running_mean", shape: [channels], value: [Float](repeating: 0, count: channels), trainable: false)
        runningVar = Parameter(
            name: "\(name).running_var", shape: [channels], value: [Float](repeating: 1, count: channels), trainable: false)
    }

    var parameters: [Parameter] { [weight, bias, runningMean, runningVar] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        shape = x.shape
        usedBatchStatistics = training
        let b = x.shape[0], pixels = x.shape[2] * x.shape[3], n = b * pixels
        var y = x
        normalized = [Float](repeating: 0, count: x.count)
        inverseStd = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            var mean: Float, variance: Float
            if training {
                var s = 0.0, ss = 0.0
                for i in 0..<b { for p in 0..<pixels { let v = Double(x.data[(i * channels + c) * pixels + p]); s += v; ss += v * v } }
                let m = s / Double(n)
                mean = Float(m)
                variance = Float(max(ss / Double(n) - m * m, 0))
                let unbiased = n > 1 ? variance * Float(n) / Float(n - 1) : variance
                runningMean.value[c] = (1 - momentum) * runningMean.value[c] + momentum * mean
                runningVar.value[c] = (1 - momentum) * runningVar.value[c] + momentum * unbiased
            } else {
                mean = runningMean.value[c]
                variance = runningVar.value[c]
            }
            let inv = 1 / (variance + eps).squareRoot()
            inverseStd[c] = inv
            for i in 0..<b {
                for p in 0..<pixels {
                    let idx = (i * channels + c) * pixels + p
                    let xh = (x.data[idx] - mean) * inv
                    normalized[idx] = xh
                    y.data[idx] = xh * weight.value[c] + bias.value[c]
                }
            }
        }
        return y
    }

    /// With batch statistics: dx = γ·inv/N · (N·dy − Σdy − x̂·Σ(dy·x̂)); with running
    /// statistics the normalisation is a constant affine map: dx = γ·inv·dy.
    func backward(_ dy: Tensor) -> Tensor {
        let b = shape[0], pixels = shape[2] * shape[3], n = Float(b * pixels)
        var dx = Tensor(zeros: shape)
        for c in 0..<channels {
            var sum: Float = 0, dot: Float = 0
            for i in 0..<b {
                for p in 0..<pixels {
                    let idx = (i * channels + c) * pixels + p; sum += dy.data[idx]; dot += dy.data[idx] * normalized[idx]
                }
            }
            weight.grad[c] += dot
            bias.grad[c] += sum
            if !usedBatchStatistics {
                let k = weight.value[c] * inverseStd[c]
                for i in 0..<b { for p in 0..<pixels { let idx = (i * channels + c) * pixels + p; dx.data[idx] = k * dy.data[idx] } }
                continue
            }
            let k = weight.value[c] * inverseStd[c] / n
            for i in 0..<b {
                for p in 0..<pixels {
                    let idx = (i * channels + c) * pixels + p
                    dx.data[idx] = k * (n * dy.data[idx] - sum - normalized[idx] * dot)
                }
            }
        }
        return dx
    }
}
