/// A network as data: the three architectures of the paper are lists of these, compiled
/// once into a plan (`NetworkPlan`) that the engine runs without allocating.
public indirect enum Layer: Sendable, Equatable {
    /// Convolution; `bias` says whether a `<name>.bias` parameter exists.
    case conv(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, bias: Bool)
    /// BatchNorm2d in inference mode (`<name>.weight/.bias/.running_mean/.running_var`).
    case batchNorm(name: String, channels: Int)
    /// max(0, x), elementwise; fused into the preceding BatchNorm or linear layer when it follows
    /// one.
    case relu
    /// Max pooling over `kernel`×`kernel` windows; padded cells never win.
    case maxPool(kernel: Int, stride: Int, padding: Int)
    /// The mean of each channel over all its pixels (C×H×W → C×1×1).
    case globalAvgPool
    /// out = body(x) + shortcut(x); an empty shortcut is the identity.
    case residual(body: [Layer], shortcut: [Layer])
    /// Flattens CHW channel-major (PyTorch's order) and switches to image tiles.
    case flatten
    /// y = W·x + b with `<name>.weight` [out, in] and `<name>.bias` [out]; only after `flatten`.
    case linear(name: String, inFeatures: Int, outFeatures: Int)
}

/// One named parameter tensor an architecture expects.
public struct ParameterSpec: Hashable, Sendable, Codable {
    /// The PyTorch name, e.g. `conv1.weight` or `layer2.0.bn1.running_var`.
    public var name: String
    /// The tensor's shape, PyTorch's order (conv weights [out, in, k, k]).
    public var shape: [Int]
    /// The number of scalars, the product of `shape`.
    public var count: Int { shape.reduce(1, *) }
    /// A spec from its name and shape.
    public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }
}

extension Layer {
    var parameterSpecs: [ParameterSpec] {
        switch self {
        case let .conv(name, inC, outC, k, _, _, bias):
            var specs = [ParameterSpec(name: "\(name).weight", shape: [outC, inC, k, k])]
            if bias { specs.append(ParameterSpec(name: "\(name).bias", shape: [outC])) }
            return specs
        case let .batchNorm(name, c):
            return ["weight", "bias", "running_mean", "running_var"].map { ParameterSpec(name: "\(name).\($0)", shape: [c]) }
        case let .residual(body, shortcut):
            return (body + shortcut).flatMap(\.parameterSpecs)
        case let .linear(name, inF, outF):
            return [ParameterSpec(name: "\(name).weight", shape: [outF, inF]), ParameterSpec(name: "\(name).bias", shape: [outF])]
        case .relu, .maxPool, .globalAvgPool, .flatten:
            return []
        }
    }
}
