import CertCore

/// An architecture's layer list as trainable layers. Parameters come out in the
/// architecture's own order and names, so a trained network writes straight into a model set.
public final class TrainableNetwork {
    /// The architecture it was built from.
    public let architecture: Architecture
    private let layers: [TrainLayer]
    /// Every parameter, in the architecture's order (`parameterSpecs`).
    public let parameters: [Parameter]

    /// `inputGradient`: whether `backward` must return d(loss)/d(input). Training never reads
    /// it (the first layer then skips that product); the sigma search needs it.
    public init(_ architecture: Architecture, seed: UInt64, inputGradient: Bool = false) {
        self.architecture = architecture
        let values = ParameterInitializer(seed: seed)
        layers = Self.build(architecture.layers, values)
        ((layers.first as? TrainConvPool)?.conv ?? layers.first as? TrainConv2d)?.computesInputGradient = inputGradient
        let byName = Dictionary(uniqueKeysWithValues: layers.flatMap(\.parameters).map { ($0.name, $0) })
        parameters = architecture.parameterSpecs.map { spec in
            guard let p = byName[spec.name], p.shape == spec.shape else { preconditionFailure("\(spec.name) missing or misshapen") }
            return p
        }
    }

    private static func build(_ layers: [Layer], _ values: ParameterInitializer) -> [TrainLayer] {
        var built: [TrainLayer] = []
        var i = 0
        while i < layers.count {
            // Convolution, ReLU, 2×2 pooling: one layer that pools in the GEMM's own layout.
            if case .conv = layers[i], i + 2 < layers.count, layers[i + 1] == .relu,
                case .maxPool(2, 2, 0) = layers[i + 2], let conv = build(layers[i], values) as? TrainConv2d
            {
                built.append(TrainConvPool(conv: conv))
                i += 3
                continue
            }
            // ReLU then max pooling is max pooling then ReLU: fused, on a quarter of the values.
            if layers[i] == .relu, i + 1 < layers.count, case let .maxPool(k, stride, padding) = layers[i + 1] {
                built.append(TrainMaxPool(kernel: k, stride: stride, padding: padding, relu: true))
                i += 2
                continue
            }
            built.append(build(layers[i], values))
            i += 1
        }
        return built
    }

    private static func build(_ layer: Layer, _ values: ParameterInitializer) -> TrainLayer {
        switch layer {
        case let .conv(name, inC, outC, k, stride, padding, bias):
            return TrainConv2d(
                name: name, inChannels: inC, outChannels: outC, kernel: k, stride: stride, padding: padding, bias: bias, init: values)
        case let .batchNorm(name, channels): return TrainBatchNorm(name: name, channels: channels)
        case .relu: return TrainReLU()
        case let .maxPool(k, stride, padding): return TrainMaxPool(kernel: k, stride: stride, padding: padding)
        case .globalAvgPool: return TrainGlobalAvgPool()
        case let .residual(body, shortcut): return TrainResidual(body: build(body, values), shortcut: build(shortcut, values))
        case .flatten: return TrainFlatten()
        case let .linear(name, inF, outF): return TrainLinear(name: name, inFeatures: inF, outFeatures: outF, init: values)
        }
    }

    /// Logits [batch, outputs]. `training` selects batch statistics in BatchNorm.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        layers.reduce(x) { $1.forward($0, training: training) }
    }

    /// Backpropagates d(loss)/d(logits); returns d(loss)/d(input) and accumulates parameter gradients.
    @discardableResult
    public func backward(_ gradLogits: Tensor) -> Tensor {
        layers.reversed().reduce(gradLogits) { $1.backward($0) }
    }

    /// Zeroes every parameter's gradient.
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }

    /// A network with a model set's weights, for gradients with respect to the input.
    public convenience init(_ architecture: Architecture, weights: ModelWeights) {
        self.init(architecture, seed: 0, inputGradient: true)
        for p in parameters { p.value = weights.values(p.name, count: p.value.count) }
    }

    /// Every tensor of the model set format, in the architecture's order.
    public func exportTensors() -> [(name: String, shape: [Int], values: [Float])] {
        parameters.map { ($0.name, $0.shape, $0.value) }
    }
}
