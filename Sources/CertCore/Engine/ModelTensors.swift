/// One model bound to a plan: a pointer per `NetworkPlan.TensorRef`, BatchNorm folded,
/// and the stem's response to the model's fixed noise, W·z_m.
///
/// The stem is linear, so W(x + s·z) + b = W·x + s·(W·z) + b: W·z_m is computed once at load
/// and the noisy input never has to be built (CONTRACTS.md §6). Same value as the direct form up
/// to float rounding; the engine always uses this form, so results stay reproducible.
///
/// `@unchecked Sendable`: immutable after init. `table` points into the mapped weights (read-only)
/// and into `folded` and `stemNoiseResponse`, which are written here once and only read afterwards.
public final class ModelTensors: @unchecked Sendable {
    /// The model's tensors as loaded (mapped or widened); kept alive because `table` points into
    /// them.
    public let weights: ModelWeights
    /// The Philox key of z_m, from the manifest (`NoiseStream.modelTestNoise`).
    public let noiseSeed: UInt32
    /// Float32 tensors by plan index; nil for the head weights kept as halves.
    private let table: [UnsafePointer<Float>?]
    /// Each head step's weight, as the set stores it.
    let headWeights: [HeadWeight]
    private let folded: [AlignedBuffer]
    /// W·z_m without bias, [stem.outChannels × stem.outPixels].
    let stemNoiseResponse: AlignedBuffer

    /// Binds `weights` to `plan`: resolves each tensor, folds each BatchNorm (eps 1e-5) and
    /// computes W·z_m. Crashes (precondition) on a missing tensor: `ModelSet` checks the tensors at
    /// load.
    public init(weights: ModelWeights, noiseSeed: UInt32, plan: NetworkPlan) {
        self.weights = weights
        self.noiseSeed = noiseSeed
        var folded: [AlignedBuffer] = []
        var table: [UnsafePointer<Float>?] = []
        var foldedByName: [String: (AlignedBuffer, AlignedBuffer)] = [:]
        let headWeightIndices = Set(plan.head.map(\.weight))
        for (index, ref) in plan.tensors.enumerated() {
            switch ref {
            case let .parameter(name):
                // A head weight stored as halves stays so: the head kernel widens it as it reads.
                table.append(headWeightIndices.contains(index) && weights.halves(name) != nil ? nil : weights[name])
            case let .batchNormScale(name), let .batchNormShift(name):
                let pair =
                    foldedByName[name]
                    ?? {
                        let channels = Self.channels(of: name, in: plan.architecture)
                        let (scale, shift) = Elementwise.foldBatchNorm(
                            weight: weights["\(name).weight"], bias: weights["\(name).bias"],
                            mean: weights["\(name).running_mean"], variance: weights["\(name).running_var"], channels: channels)
                        let pair = (AlignedBuffer(scale), AlignedBuffer(shift))
                        folded += [pair.0, pair.1]
                        foldedByName[name] = pair
                        return pair
                    }()
                if case .batchNormScale = ref {
                    table.append(UnsafePointer(pair.0.pointer))
                } else {
                    table.append(UnsafePointer(pair.1.pointer))
                }
            }
        }
        self.table = table
        self.folded = folded
        headWeights = plan.head.map { step in
            if let p = table[step.weight] { return .float(p) }
            guard case let .parameter(name) = plan.tensors[step.weight], let h = weights.halves(name) else {
                preconditionFailure("head weight \(step.weight) is neither float32 nor halves")
            }
            return .half(h)
        }
        let g = plan.stem
        let z = AlignedBuffer(GaussianNoise(seed: noiseSeed, stream: NoiseStream.modelTestNoise).draws(count: g.inputCount))
        let scratch = AlignedBuffer(count: g.patchSize * g.outPixels)
        stemNoiseResponse = AlignedBuffer(count: g.outputCount)
        Conv2d.forward(
            z.pointer, g, weight: table[plan.stemWeight]!, bias: nil,
            scratch: scratch.pointer, output: stemNoiseResponse.pointer)
    }

    /// Float32 tensor `index` of the plan's table. Crashes (precondition) for a head weight kept as
    /// halves: the engine reads those through `headWeights`.
    @inline(__always)
    func tensor(_ index: Int) -> UnsafePointer<Float> {
        guard let p = table[index] else { preconditionFailure("tensor \(index) is kept as halves") }
        return p
    }

    /// The fixed noise z_m itself (for tests and diagnostics; the engine never needs it).
    public func testNoise(count: Int) -> [Float] {
        GaussianNoise(seed: noiseSeed, stream: NoiseStream.modelTestNoise).draws(count: count)
    }

    private static func channels(of batchNorm: String, in architecture: Architecture) -> Int {
        architecture.parameterSpecs.first { $0.name == "\(batchNorm).weight" }!.shape[0]
    }
}

/// A linear layer's weight as the model set stores it: float32 in place, or binary16 halves
/// that the head kernel widens in registers as it reads them (`Linear.forward(halves:)`).
enum HeadWeight {
    /// Row-major [out × in] float32.
    case float(UnsafePointer<Float>)
    /// Row-major [out × in] little-endian binary16, in the map.
    case half(UnsafeRawPointer)
}

/// The streams of a model seed's Philox generator; one per purpose, never shared.
public enum NoiseStream {
    /// Stream 0: model m's fixed test noise z_m, keyed by its noise seed.
    public static let modelTestNoise: UInt64 = 0
}
