/// Everything that decides a trained model, recorded in the manifest so a set can be
/// reproduced exactly: same recipe and data, same weights, on any number of workers.
public struct TrainingRecipe: Codable, Sendable, Equatable {
    /// The architecture's raw name (`mnist-cnn`).
    public var architecture: String
    /// Passes over the training set.
    public var epochs: Int
    /// Mini-batch size (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// Adam's step size.
    public var learningRate: Double
    /// Master seed; model m's seeds derive from (seed, m) alone.
    public var seed: UInt64
    /// The optimiser and its constants, as text for the manifest.
    public var optimizer = "adam(beta1=0.9, beta2=0.999, eps=1e-8)"
    /// The loss, as text: "bce-with-logits" or "softmax-cross-entropy".
    public var loss: String
    /// The initialisation rule, as text.
    public var initialization = "uniform(±1/sqrt(fan_in)), Philox4x32-10"
    /// The training-noise rule, as text.
    public var noise = "x_i + sigma_i * b_{m,i}, b fixed per model (Philox4x32-10 + Box-Muller, position-addressed)"

    enum CodingKeys: String, CodingKey {
        case architecture, epochs
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case seed, optimizer, loss, initialization, noise
    }

    /// A recipe; the descriptive strings keep their defaults.
    public init(architecture: String, epochs: Int, batchSize: Int, learningRate: Double, seed: UInt64, loss: String) {
        self.architecture = architecture; self.epochs = epochs; self.batchSize = batchSize
        self.learningRate = learningRate; self.seed = seed; self.loss = loss
    }
}

/// The seeds of model m: SplitMix64 started from a mix of (master, m). Mixing the index
/// first matters: a plain master ^ m·γ start makes model m's stream overlap model 0's.
public struct ModelSeeds: Sendable, Equatable {
    /// The model index m.
    public let model: Int
    /// Seed of the weight initialisation.
    public let initialization: UInt64
    /// Seed of the training noise b_{m,i}.
    public let noise: UInt64
    /// Seed of the per-epoch shuffles.
    public let shuffle: UInt64

    /// Model `model`'s seeds under master seed `master`, three SplitMix64 outputs from one mixed
    /// start.
    public init(master: UInt64, model: Int) {
        self.model = model
        var state = Self.mix(master ^ Self.mix(UInt64(model) &+ 0x632B_E59B_D9B4_E019))
        initialization = Self.splitMix(&state)
        noise = Self.splitMix(&state)
        shuffle = Self.splitMix(&state)
    }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    /// SplitMix64's output function (a bijection with good avalanche).
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
