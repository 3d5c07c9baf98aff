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
    let table: [UnsafePointer<Float>]
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
        var table: [UnsafePointer<Float>] = []
        var foldedByName: [String: (AlignedBuffer, AlignedBuffer)] = [:]
        for ref in plan.tensors {
            switch ref {
            case let .parameter(name):
                table.append(weights[name])
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
        let g = plan.stem
        let z = AlignedBuffer(GaussianNoise(seed: noiseSeed, stream: NoiseStream.modelTestNoise).draws(count: g.inputCount))
        let scratch = AlignedBuffer(count: g.patchSize * g.outPixels)
        stemNoiseResponse = AlignedBuffer(count: g.outputCount)
        Conv2d.forward(
            z.pointer, g, weight: table[plan.stemWeight], bias: nil,
            scratch: scratch.pointer, output: stemNoiseResponse.pointer)
    }

    /// The fixed noise z_m itself (for tests and diagnostics; the engine never needs it).
    public func testNoise(count: Int) -> [Float] {
        GaussianNoise(seed: noiseSeed, stream: NoiseStream.modelTestNoise).draws(count: count)
    }

    private static func channels(of batchNorm: String, in architecture: Architecture) -> Int {
        architecture.parameterSpecs.first { $0.name == "\(batchNorm).weight" }!.shape[0]
    }
}

/// The streams of a model seed's Philox generator; one per purpose, never shared.
public enum NoiseStream {
    /// Stream 0: model m's fixed test noise z_m, keyed by its noise seed.
    public static let modelTestNoise: UInt64 = 0
}
