import CertCore
import CertTestSupport
import Testing

@testable import CertTraining

/// Every backward pass against central finite differences of L = Σ r ⊙ layer(x), with a
/// fixed random r, in float32 (so tolerances are a few 1e-3 relative).
@Suite(.blockingWork) struct GradientCheckTests {
    static func random(_ n: Int, seed: UInt32, scale: Float = 1) -> [Float] {
        GaussianNoise(seed: seed, stream: 77).draws(count: n).map { $0 * scale }
    }

    /// Compares analytic and numeric gradients of the input and of every trainable parameter
    /// on `probes` coordinates each.
    static func check(
        _ layer: TrainLayer, input shape: [Int], training: Bool = true, probes: Int = 12, eps: Float = 1e-2,
        tolerance: Double = 2e-2, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var x = Tensor(shape: shape, data: random(shape.reduce(1, *), seed: 1))
        let y0 = layer.forward(x, training: training)
        let r = Tensor(shape: y0.shape, data: random(y0.count, seed: 2))
        layer.parameters.forEach { $0.zeroGrad() }
        _ = layer.forward(x, training: training)
        let dx = layer.backward(r)
        func loss() -> Double {
            let y = layer.forward(x, training: training)
            return zip(y.data, r.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
            let err = abs(Double(analytic) - numeric) / max(1, abs(numeric))
            #expect(err < tolerance, "\(what): analytic \(analytic) vs numeric \(numeric)", sourceLocation: sourceLocation)
        }
        for k in 0..<probes {
            let i = (k * 7919) % x.count
            let saved = x.data[i]
            x.data[i] = saved + eps; let up = loss()
            x.data[i] = saved - eps; let down = loss()
            x.data[i] = saved
            compare(dx.data[i], (up - down) / Double(2 * eps), "input[\(i)]")
        }
        for p in layer.parameters where p.trainable {
            let grad = p.grad
            for k in 0..<min(probes, p.value.count) {
                let i = (k * 104_729) % p.value.count
                let saved = p.value[i]
                p.value[i] = saved + eps; let up = loss()
                p.value[i] = saved - eps; let down = loss()
                p.value[i] = saved
                compare(grad[i], (up - down) / Double(2 * eps), "\(p.name)[\(i)]")
            }
        }
    }

    @Test(arguments: [(3, 4, 3, 1, 1), (2, 5, 5, 1, 0), (3, 2, 3, 2, 1), (4, 3, 1, 2, 0), (2, 3, 7, 2, 3)])
    func convolution(_ c: (Int, Int, Int, Int, Int)) {
        let layer = TrainConv2d(
            name: "c", inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4, bias: true,
            init: ParameterInitializer(seed: 3))
        Self.check(layer, input: [2, c.0, 9, 8])
    }

    @Test func linear() {
        Self.check(TrainLinear(name: "fc", inFeatures: 13, outFeatures: 5, init: ParameterInitializer(seed: 4)), input: [3, 13])
    }

    @Test func batchNormTrainingAndInference() {
        let bn = TrainBatchNorm(name: "bn", channels: 3)
        bn.weight.value = [1.5, -0.7, 0.9]
        bn.bias.value = [0.1, 0.2, -0.3]
        Self.check(bn, input: [4, 3, 3, 2], training: true)
        bn.runningVar.value = [0.5, 2, 1.2]
        bn.runningMean.value = [0.1, -0.2, 0.3]
        Self.check(bn, input: [4, 3, 3, 2], training: false)
    }

    @Test func reluMaxPoolAveragePoolFlatten() {
        Self.check(TrainReLU(), input: [2, 3, 4, 4])
        Self.check(TrainMaxPool(kernel: 2, stride: 2, padding: 0), input: [2, 3, 6, 6], eps: 1e-3)
        Self.check(TrainMaxPool(kernel: 3, stride: 2, padding: 1), input: [2, 2, 7, 7], eps: 1e-3)
        Self.check(TrainGlobalAvgPool(), input: [2, 3, 4, 5])
        Self.check(TrainFlatten(), input: [2, 3, 2, 2])
    }

    /// The fused conv + ReLU + 2×2 pool, on even conv outputs (fused) and odd ones (fallback).
    @Test(arguments: [[2, 2, 9, 8], [2, 2, 8, 8]])
    func convReLUPool(_ shape: [Int]) {
        let conv = TrainConv2d(
            name: "c", inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1, bias: true,
            init: ParameterInitializer(seed: 3))
        Self.check(TrainConvPool(conv: conv), input: shape, eps: 1e-3)
    }

    /// Fused and unfused compute the same forward values and the same input gradient.
    @Test func convReLUPoolMatchesTheUnfusedLayers() {
        func conv() -> TrainConv2d {
            TrainConv2d(
                name: "c", inChannels: 2, outChannels: 4, kernel: 5, stride: 1, padding: 0, bias: true, init: ParameterInitializer(seed: 9))
        }
        let fused = TrainConvPool(conv: conv()), plain = conv(), pool = TrainMaxPool(kernel: 2, stride: 2, padding: 0, relu: true)
        let x = Tensor(shape: [3, 2, 12, 12], data: Self.random(3 * 2 * 144, seed: 4))
        let y = fused.forward(x, training: true), y2 = pool.forward(plain.forward(x, training: true), training: true)
        #expect(y.shape == y2.shape)
        #expect(zip(y.data, y2.data).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        let r = Tensor(shape: y.shape, data: Self.random(y.count, seed: 5))
        let dx = fused.backward(r), dx2 = plain.backward(pool.backward(r))
        #expect(zip(dx.data, dx2.data).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        #expect(zip(fused.conv.bias!.grad, plain.bias!.grad).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
    }

    @Test func residualWithProjectionShortcut() {
        let values = ParameterInitializer(seed: 9)
        let block = TrainResidual(
            body: [
                TrainBatchNorm(name: "bn1", channels: 2), TrainReLU(),
                TrainConv2d(name: "conv1", inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1, bias: true, init: values),
            ],
            shortcut: [
                TrainConv2d(name: "sc", inChannels: 2, outChannels: 3, kernel: 1, stride: 2, padding: 0, bias: true, init: values),
                TrainBatchNorm(name: "sc.bn", channels: 3),
            ])
        Self.check(block, input: [3, 2, 6, 6])
    }

    @Test func lossGradientsMatchFiniteDifferences() {
        let logits = Tensor(shape: [4, 1], data: [2.5, -1, 0.3, -7])
        let labels = [1, 0, 0, 1]
        let (_, grad) = Loss.binaryCrossEntropyWithLogits(logits, labels: labels)
        for i in 0..<4 {
            var up = logits, down = logits
            up.data[i] += 1e-3; down.data[i] -= 1e-3
            let numeric =
                (Loss.binaryCrossEntropyWithLogits(up, labels: labels).loss - Loss.binaryCrossEntropyWithLogits(down, labels: labels).loss)
                / 2e-3
            #expect(abs(Double(grad.data[i]) - numeric) < 1e-4)
        }
        let k = Tensor(shape: [2, 3], data: [1, 2, 0.5, -1, 0, 3])
        let (_, g) = Loss.softmaxCrossEntropy(k, labels: [2, 0])
        for i in 0..<6 {
            var up = k, down = k
            up.data[i] += 1e-3; down.data[i] -= 1e-3
            let numeric = (Loss.softmaxCrossEntropy(up, labels: [2, 0]).loss - Loss.softmaxCrossEntropy(down, labels: [2, 0]).loss) / 2e-3
            #expect(abs(Double(g.data[i]) - numeric) < 1e-4)
        }
        // Closed form: BCE at logit 0 is ln 2 whatever the label.
        #expect(abs(Loss.binaryCrossEntropyWithLogits(Tensor(shape: [1, 1], data: [0]), labels: [1]).loss - 0.6931471805599453) < 1e-12)
    }

    /// The whole MNIST CNN end to end, on a few coordinates of each parameter.
    @Test func mnistNetworkEndToEnd() {
        let net = TrainableNetwork(.mnistCNN, seed: 5)
        let x = Tensor(shape: [2, 1, 28, 28], data: Self.random(2 * 784, seed: 6, scale: 0.5))
        net.zeroGrad()
        let y = net.forward(x, training: true)
        let (_, g) = Loss.binaryCrossEntropyWithLogits(y, labels: [0, 1])
        net.backward(g)
        func loss() -> Double { Loss.binaryCrossEntropyWithLogits(net.forward(x, training: true), labels: [0, 1]).loss }
        for p in net.parameters {
            let grad = p.grad
            for k in 0..<3 {
                let i = (k * 7919 + 13) % p.value.count
                let saved = p.value[i]
                p.value[i] = saved + 1e-2; let up = loss()
                p.value[i] = saved - 1e-2; let down = loss()
                p.value[i] = saved
                let numeric = (up - down) / 2e-2
                #expect(abs(Double(grad[i]) - numeric) < 2e-3 + 2e-2 * abs(numeric), "\(p.name)[\(i)]: \(grad[i]) vs \(numeric)")
            }
        }
    }

    /// Inference through the trainable layers agrees with the engine (same weights).
    @Test(arguments: [(Architecture.mnistCNN, [1, 28, 28]), (Architecture.cifarResNet, [3, 32, 32])])
    func trainableForwardMatchesTheEngine(_ a: (Architecture, [Int])) throws {
        let net = TrainableNetwork(a.0, seed: 8)
        let n = a.1.reduce(1, *)
        let pixels = Self.random(n, seed: 10, scale: 0.3).map { $0 + 0.5 }
        let logits = net.forward(Tensor(shape: [1] + a.1, data: pixels), training: false).data[0]
        let directory = try TemporaryDirectory("train-engine")
        defer { directory.remove() }
        let dir = directory.file(a.0.rawValue)
        let manifest = ModelSetManifest(
            name: "t", architecture: a.0, classes: ["0", "1"], sigma0: 0.1, trigger: "none",
            models: [.init(index: 0, file: "", sha256: String(repeating: "0", count: 64), noiseSeed: 1)],
            createdAt: "now", tool: "test")
        try ModelSet.write(directory: dir, manifest: manifest, tensors: [net.exportTensors()])
        let ensemble = Ensemble(modelSet: try ModelSet.load(directory: dir))
        var engine: Float = .nan
        ensemble.forward(model: 0, images: [ensemble.prepare(pixels)][...], scales: [0][...], workspace: ensemble.makeWorkspace()) { _, p in
            engine = p[0]
        }
        #expect(abs(engine - logits) < 1e-4 * max(1, abs(logits)), "\(engine) vs \(logits)")
    }
}
