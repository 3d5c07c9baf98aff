import CertShape

/// A compiled architecture: the stem convolution, the per-image trunk as a flat list of
/// steps over a few reusable activation slots, and the per-tile head of linear layers.
/// Steps name tensors by index into a per-model table (see `TensorRef`), so one plan
/// serves every model of an ensemble.
public struct NetworkPlan: Sendable {
    /// A tensor a step reads, resolved per model through `tensors`: a named parameter, or a
    /// BatchNorm's folded scale or shift.
    public enum TensorRef: Hashable, Sendable {
        /// A parameter as stored (`conv1.weight`).
        case parameter(String)
        /// The BatchNorm `<name>` folded to one scale per channel, weight / sqrt(running_var +
        /// eps).
        case batchNormScale(String)
        /// The BatchNorm `<name>` folded to one shift per channel, bias − running_mean · scale.
        case batchNormShift(String)
    }

    /// One per-image step of the trunk; `src`/`dst` are activation slots, `weight`, `scale`…
    /// indices into `tensors`.
    public enum Step: Sendable, Equatable {
        /// A convolution (im2col + SGEMM, or a plain SGEMM when pointwise), with an optional bias
        /// and the ReLU and 2×2 pooling that followed it fused in (`ConvEpilogue`).
        case conv(ConvGeometry, weight: Int, bias: Int?, epilogue: ConvEpilogue, src: Int, dst: Int)
        /// BatchNorm folded to out = x · scale[c] + shift[c], with the following ReLU fused when
        /// `relu`.
        case scaleShift(channels: Int, pixels: Int, scale: Int, shift: Int, relu: Bool, src: Int, dst: Int)
        /// max(0, x) over `count` floats (a ReLU that no BatchNorm absorbed).
        case relu(count: Int, src: Int, dst: Int)
        /// Max pooling.
        case maxPool(PoolGeometry, src: Int, dst: Int)
        /// Each channel's mean over its `pixels`.
        case globalAvgPool(channels: Int, pixels: Int, src: Int, dst: Int)
        /// slot `into` += slot `from` over `count` floats: a residual's sum.
        case add(count: Int, into: Int, from: Int)
    }

    /// One linear layer of the head, run on a tile of images at once; `relu` fuses the ReLU after
    /// it.
    public struct HeadStep: Sendable, Equatable {
        /// Shapes [out, in] of the weight, indices of the weight and bias in `tensors`, and whether
        /// a ReLU follows.
        public var inFeatures: Int, outFeatures: Int, weight: Int, bias: Int, relu: Bool
    }

    /// The architecture compiled.
    public let architecture: Architecture
    /// The input the plan was compiled for (the architecture's own unless overridden).
    public let inputShape: ImageShape
    /// The first layer, a convolution: linear in its input, which the engine exploits.
    public let stem: ConvGeometry
    /// Index in `tensors` of the stem's weight.
    public let stemWeight: Int
    /// Index in `tensors` of the stem's bias, nil when it has none.
    public let stemBias: Int?
    /// The ReLU and pooling after the stem, fused into its bias pass.
    public let stemEpilogue: ConvEpilogue
    /// The per-image steps after the stem, up to the flatten.
    public let trunk: [Step]
    /// Slot holding the trunk's result, flattened channel-major into the head's input.
    public let trunkOutput: Int
    /// The linear layers after the flatten, in order.
    public let head: [HeadStep]
    /// The trunk's output size per image: the head's input features.
    public let features: Int
    /// How many activation slots the trunk needs at once (slots are reused when free).
    public let slotCount: Int
    /// Floats per slot: the largest activation of any step, per image.
    public let slotSize: Int
    /// Floats of im2col scratch per image: the largest patch matrix of any non-pointwise
    /// convolution.
    public let scratchSize: Int
    /// Floats of the product buffer per image: the largest convolution output that a pooling
    /// epilogue reads before it writes the smaller result into a slot.
    public let productSize: Int
    /// The widest layer of the head (features included): sizes the tile buffers.
    public let widestHead: Int
    /// The per-model tensor table; every step and head layer addresses tensors by index into it.
    public let tensors: [TensorRef]

    /// Logits per image: the last head layer's width (the trunk's features when there is no head).
    public var outputs: Int { head.last?.outFeatures ?? features }

    /// `inputShape` overrides the architecture's own (the ResNets are fully convolutional up
    /// to their global pooling, so tests can run them on smaller images).
    public init(_ architecture: Architecture, inputShape: ImageShape? = nil) {
        let inputShape = inputShape ?? architecture.inputShape
        var compiler = PlanCompiler(shape: inputShape.dimensions)
        guard case let .conv(name, inC, outC, k, stride, padding, bias) = architecture.layers.first else {
            preconditionFailure("\(architecture) must start with a convolution")
        }
        let g = ConvGeometry(
            inChannels: inC, outChannels: outC, kernel: k, stride: stride, padding: padding,
            inHeight: inputShape.height, inWidth: inputShape.width)
        self.stem = g
        self.stemWeight = compiler.tensor(.parameter("\(name).weight"))
        self.stemBias = bias ? compiler.tensor(.parameter("\(name).bias")) : nil
        compiler.scratch = g.isPointwise ? 0 : g.patchSize * g.outPixels
        var rest = Array(architecture.layers.dropFirst())
        let stemEpilogue = PlanCompiler.epilogue(after: rest[...])
        rest.removeFirst(stemEpilogue.consumedLayers)
        self.stemEpilogue = stemEpilogue
        if stemEpilogue.pool { compiler.product = g.outputCount }
        compiler.shape = stemEpilogue.outputShape(channels: outC, height: g.outHeight, width: g.outWidth)
        let stemSlot = compiler.allocate()
        compiler.slotSize = max(compiler.slotSize, compiler.count)
        let flattenAt = rest.firstIndex(of: .flatten) ?? rest.count
        let headLayers = Array(rest[min(flattenAt + 1, rest.count)...])
        rest = Array(rest[..<flattenAt])
        self.trunkOutput = compiler.compile(rest, input: stemSlot)
        self.features = compiler.shape.reduce(1, *)
        self.trunk = compiler.steps
        var head: [HeadStep] = []
        var widest = features
        for (i, layer) in headLayers.enumerated() {
            switch layer {
            case let .linear(name, inF, outF):
                let fusedReLU = i + 1 < headLayers.count && headLayers[i + 1] == .relu
                head.append(
                    HeadStep(
                        inFeatures: inF, outFeatures: outF,
                        weight: compiler.tensor(.parameter("\(name).weight")),
                        bias: compiler.tensor(.parameter("\(name).bias")), relu: fusedReLU))
                widest = max(widest, outF)
            case .relu:
                precondition(i > 0, "a ReLU in the head must follow a linear layer")
            default:
                preconditionFailure("only linear layers and ReLU may follow flatten")
            }
        }
        self.head = head
        self.widestHead = widest
        self.architecture = architecture
        self.inputShape = inputShape
        self.slotCount = compiler.refs.count
        self.slotSize = compiler.slotSize
        self.scratchSize = compiler.scratch
        self.productSize = compiler.product
        self.tensors = compiler.tensors
    }
}

/// Shape tracking and slot allocation for `NetworkPlan`. Slots are reference counted so
/// a residual's input stays intact until its shortcut has read it.
private struct PlanCompiler {
    var shape: [Int]
    var steps: [NetworkPlan.Step] = []
    var refs: [Int] = []
    var slotSize = 0
    var scratch = 0
    var product = 0
    var tensors: [NetworkPlan.TensorRef] = []

    init(shape: [Int]) { self.shape = shape }

    mutating func tensor(_ ref: NetworkPlan.TensorRef) -> Int {
        if let i = tensors.firstIndex(of: ref) { return i }
        tensors.append(ref)
        return tensors.count - 1
    }

    mutating func allocate() -> Int {
        if let free = refs.firstIndex(of: 0) { refs[free] = 1; return free }
        refs.append(1)
        return refs.count - 1
    }

    mutating func release(_ slot: Int) { refs[slot] -= 1 }

    /// Destination for a step reading `src`: in place when nobody else holds `src`.
    mutating func destination(reading src: Int) -> Int {
        if refs[src] == 1 { return src }
        release(src)
        return allocate()
    }

    var count: Int { shape.reduce(1, *) }

    /// The ReLU and 2×2 pooling that directly follow a convolution, fused into it.
    static func epilogue(after layers: ArraySlice<Layer>) -> ConvEpilogue {
        var rest = layers
        let relu = rest.first == .relu
        if relu { rest = rest.dropFirst() }
        let pool = rest.first == .maxPool(kernel: 2, stride: 2, padding: 0)
        return ConvEpilogue(relu: relu, pool: pool)
    }

    mutating func compile(_ layers: [Layer], input: Int) -> Int {
        var slot = input
        var i = 0
        while i < layers.count {
            let layer = layers[i]
            let nextIsReLU = i + 1 < layers.count && layers[i + 1] == .relu
            switch layer {
            case let .conv(name, inC, outC, k, stride, padding, bias):
                precondition(shape[0] == inC, "\(name): expects \(inC) channels, gets \(shape[0])")
                let g = ConvGeometry(
                    inChannels: inC, outChannels: outC, kernel: k, stride: stride, padding: padding,
                    inHeight: shape[1], inWidth: shape[2])
                let epilogue = Self.epilogue(after: layers[(i + 1)...])
                let dst = allocate()
                steps.append(
                    .conv(
                        g, weight: tensor(.parameter("\(name).weight")),
                        bias: bias ? tensor(.parameter("\(name).bias")) : nil, epilogue: epilogue, src: slot, dst: dst))
                release(slot)
                slot = dst
                if !g.isPointwise { scratch = max(scratch, g.patchSize * g.outPixels) }
                if epilogue.pool { product = max(product, g.outputCount) }
                shape = epilogue.outputShape(channels: outC, height: g.outHeight, width: g.outWidth)
                i += epilogue.consumedLayers
            case let .batchNorm(name, channels):
                precondition(shape[0] == channels, "\(name): expects \(channels) channels, gets \(shape[0])")
                let dst = destination(reading: slot)
                steps.append(
                    .scaleShift(
                        channels: channels, pixels: shape[1] * shape[2],
                        scale: tensor(.batchNormScale(name)), shift: tensor(.batchNormShift(name)),
                        relu: nextIsReLU, src: slot, dst: dst))
                slot = dst
                if nextIsReLU { i += 1 }
            case .relu:
                let dst = destination(reading: slot)
                steps.append(.relu(count: count, src: slot, dst: dst))
                slot = dst
            case let .maxPool(k, stride, padding):
                let g = PoolGeometry(channels: shape[0], inHeight: shape[1], inWidth: shape[2], kernel: k, stride: stride, padding: padding)
                let dst = allocate()
                steps.append(.maxPool(g, src: slot, dst: dst))
                release(slot)
                slot = dst
                shape = [shape[0], g.outHeight, g.outWidth]
            case .globalAvgPool:
                let dst = allocate()
                steps.append(.globalAvgPool(channels: shape[0], pixels: shape[1] * shape[2], src: slot, dst: dst))
                release(slot)
                slot = dst
                shape = [shape[0], 1, 1]
            case let .residual(body, shortcut):
                refs[slot] += 1  // held for the shortcut
                let inputShape = shape
                let bodyOut = compile(body, input: slot)
                let bodyShape = shape
                shape = inputShape
                let shortcutOut = shortcut.isEmpty ? slot : compile(shortcut, input: slot)
                precondition(shape == bodyShape, "residual branches disagree: \(bodyShape) vs \(shape)")
                steps.append(.add(count: count, into: bodyOut, from: shortcutOut))
                if shortcut.isEmpty { release(slot) } else { release(shortcutOut) }
                slot = bodyOut
            case .flatten, .linear:
                preconditionFailure("linear layers belong to the head")
            }
            slotSize = max(slotSize, count)
            i += 1
        }
        return slot
    }
}
