import CertShape

/// The architectures of the paper (METHOD.md §2.3). Parameter names follow the PyTorch modules
/// they came from, so the authors' checkpoints and safetensors files map one to one.
public enum Architecture: String, Sendable, Codable, CaseIterable {
    /// conv 1→16 5×5, ReLU, maxpool 2; conv 16→32 5×5, ReLU, maxpool 2; fc 512→512 ReLU; fc 512→1.
    case mnistCNN = "mnist-cnn"
    /// Pre-activation ResNet for 3×32×32: three stages of five blocks (16/32/64 channels).
    case cifarResNet = "cifar-preact-resnet"
    /// torchvision ResNet-18 (ImageNet head) followed by a 1000→1 linear head, for 3×224×224.
    case resnet18 = "resnet18"

    /// The input the architecture is built for: 1x28x28, 3x32x32 or 3x224x224.
    public var inputShape: ImageShape {
        switch self {
        case .mnistCNN: ImageShape(channels: 1, height: 28, width: 28)
        case .cifarResNet: ImageShape(channels: 3, height: 32, width: 32)
        case .resnet18: ImageShape(channels: 3, height: 224, width: 224)
        }
    }

    /// Logits per input: one for the paper's binary tasks (sigmoid gives P(label 1)).
    public var outputs: Int { 1 }

    /// The network as data, in order; `NetworkPlan` compiles it.
    public var layers: [Layer] {
        switch self {
        case .mnistCNN: Self.mnistLayers
        case .cifarResNet: Self.cifarLayers
        case .resnet18: Self.resnet18Layers
        }
    }

    /// Every parameter tensor, in layer order, with PyTorch's names and shapes.
    public var parameterSpecs: [ParameterSpec] { layers.flatMap(\.parameterSpecs) }
    /// The number of scalar parameters (276,417 for `mnistCNN`).
    public var parameterCount: Int { parameterSpecs.reduce(0) { $0 + $1.count } }

    private static let mnistLayers: [Layer] = [
        .conv(name: "conv1", inChannels: 1, outChannels: 16, kernel: 5, stride: 1, padding: 0, bias: true),
        .relu, .maxPool(kernel: 2, stride: 2, padding: 0),
        .conv(name: "conv2", inChannels: 16, outChannels: 32, kernel: 5, stride: 1, padding: 0, bias: true),
        .relu, .maxPool(kernel: 2, stride: 2, padding: 0),
        .flatten,
        .linear(name: "fc", inFeatures: 512, outFeatures: 512), .relu,
        .linear(name: "output", inFeatures: 512, outFeatures: 1),
    ]

    /// Pre-activation block: BN, ReLU, conv3×3 (stride), BN, ReLU, conv3×3, plus a shortcut
    /// that is the identity, or a 1×1 conv + BN on the block's input when the shape changes.
    private static func preActBlock(_ name: String, _ inC: Int, _ outC: Int, stride: Int) -> Layer {
        let body: [Layer] = [
            .batchNorm(name: "\(name).bn1", channels: inC), .relu,
            .conv(name: "\(name).conv1", inChannels: inC, outChannels: outC, kernel: 3, stride: stride, padding: 1, bias: true),
            .batchNorm(name: "\(name).bn2", channels: outC), .relu,
            .conv(name: "\(name).conv2", inChannels: outC, outChannels: outC, kernel: 3, stride: 1, padding: 1, bias: true),
        ]
        let shortcut: [Layer] =
            (stride == 1 && inC == outC)
            ? []
            : [
                .conv(name: "\(name).shortcut.0", inChannels: inC, outChannels: outC, kernel: 1, stride: stride, padding: 0, bias: true),
                .batchNorm(name: "\(name).shortcut.1", channels: outC),
            ]
        return .residual(body: body, shortcut: shortcut)
    }

    private static let cifarLayers: [Layer] = {
        var layers: [Layer] = [.conv(name: "conv1", inChannels: 3, outChannels: 16, kernel: 3, stride: 1, padding: 1, bias: true)]
        var inC = 16
        for (stage, width) in [16, 32, 64].enumerated() {
            for block in 0..<5 {
                let stride = (stage > 0 && block == 0) ? 2 : 1
                layers.append(preActBlock("layer\(stage + 1).\(block)", inC, width, stride: stride))
                inC = width
            }
        }
        layers += [
            .batchNorm(name: "bn", channels: 64), .relu, .globalAvgPool, .flatten,
            .linear(name: "fc", inFeatures: 64, outFeatures: 1),
        ]
        return layers
    }()

    /// torchvision BasicBlock: conv-BN-ReLU-conv-BN, plus identity or 1×1 conv+BN downsample, then ReLU.
    private static func basicBlock(_ name: String, _ inC: Int, _ outC: Int, stride: Int) -> [Layer] {
        let body: [Layer] = [
            .conv(name: "\(name).conv1", inChannels: inC, outChannels: outC, kernel: 3, stride: stride, padding: 1, bias: false),
            .batchNorm(name: "\(name).bn1", channels: outC), .relu,
            .conv(name: "\(name).conv2", inChannels: outC, outChannels: outC, kernel: 3, stride: 1, padding: 1, bias: false),
            .batchNorm(name: "\(name).bn2", channels: outC),
        ]
        let shortcut: [Layer] =
            (stride == 1 && inC == outC)
            ? []
            : [
                .conv(name: "\(name).downsample.0", inChannels: inC, outChannels: outC, kernel: 1, stride: stride, padding: 0, bias: false),
                .batchNorm(name: "\(name).downsample.1", channels: outC),
            ]
        return [.residual(body: body, shortcut: shortcut), .relu]
    }

    private static let resnet18Layers: [Layer] = {
        var layers: [Layer] = [
            .conv(name: "conv1", inChannels: 3, outChannels: 64, kernel: 7, stride: 2, padding: 3, bias: false),
            .batchNorm(name: "bn1", channels: 64), .relu, .maxPool(kernel: 3, stride: 2, padding: 1),
        ]
        var inC = 64
        for (stage, width) in [64, 128, 256, 512].enumerated() {
            for block in 0..<2 {
                let stride = (stage > 0 && block == 0) ? 2 : 1
                layers += basicBlock("layer\(stage + 1).\(block)", inC, width, stride: stride)
                inC = width
            }
        }
        layers += [
            .globalAvgPool, .flatten,
            .linear(name: "fc", inFeatures: 512, outFeatures: 1000),
            .linear(name: "head", inFeatures: 1000, outFeatures: 1),
        ]
        return layers
    }()
}
