import CertCore
import Foundation

/// Writes the manifest of a trained ensemble: per-model hashes and noise seeds (derived
/// from the weights file, METHOD.md §2.3), the recipe, the seeds of every model, the poisoning
/// and where the data came from, so the set can be rebuilt and audited.
public enum ModelSetAssembler {
    /// The set-level fields of the manifest, as the caller knows them.
    public struct Description: Sendable {
        /// The set's name.
        public var name: String
        /// The network of every model.
        public var architecture: Architecture
        /// Class names, index = label.
        public var classes: [String]
        /// The label poisoned samples were given.
        public var targetLabel: Int
        /// The training noise level.
        public var sigma0: Double
        /// The trigger plugin used for poisoning.
        public var trigger: String
        /// The trigger's L2 size.
        public var delta: Double
        /// The fraction of the training set poisoned.
        public var poisonRate: Double
        /// The weights' dtype in the files (F32 or F16).
        public var dtype: Safetensors.DType
        /// Dataset, task, split sizes, poisoned indices: whatever the caller knows.
        public var provenance: [String: JSONValue]
        /// The models that choose labels and sigmas and never certify (manifest `search_models`).
        public var searchModels: [Int]? = nil

        /// A description without search models (set `searchModels` afterwards).
        public init(
            name: String, architecture: Architecture, classes: [String], targetLabel: Int, sigma0: Double,
            trigger: String, delta: Double, poisonRate: Double, dtype: Safetensors.DType, provenance: [String: JSONValue]
        ) {
            self.name = name; self.architecture = architecture; self.classes = classes; self.targetLabel = targetLabel
            self.sigma0 = sigma0; self.trigger = trigger; self.delta = delta; self.poisonRate = poisonRate
            self.dtype = dtype; self.provenance = provenance
        }
    }

    /// Writes `manifest.json` into `directory` for `records`: noise seed int(sha256, 16) mod 2^32
    /// per file, each model's seeds and loss under `source`, the recipe and `d.provenance` under
    /// `training`. Throws when the file cannot be written.
    @discardableResult
    public static func write(
        directory: String, description d: Description, recipe: TrainingRecipe,
        records: [EnsembleTrainer.ModelRecord], accuracy: JSONValue? = nil
    ) throws -> ModelSetManifest {
        let models = records.map { r in
            ModelSetManifest.Model(
                index: r.index, file: r.file, sha256: r.sha256, noiseSeed: Checksum.seedModulo32(sha256Hex: r.sha256),
                source: .object([
                    "initialization_seed": .string(String(r.initializationSeed)),
                    "training_noise_seed": .string(String(r.noiseSeed)),
                    "shuffle_seed": .string(String(r.shuffleSeed)),
                    "final_loss": .number(r.finalLoss),
                    "train_accuracy": .number(r.trainAccuracy),
                ]))
        }
        var training = d.provenance
        training["method"] = .string("certssb train")
        training["recipe"] = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(recipe))
        training["noise_seed_rule"] = .string("int(sha256(weights file), 16) mod 2^32")
        var manifest = ModelSetManifest(
            name: d.name, architecture: d.architecture, classes: d.classes, targetLabel: d.targetLabel, sigma0: d.sigma0,
            trigger: d.trigger, delta: d.delta, poisonRate: d.poisonRate, weightsDtype: d.dtype.rawValue, models: models,
            training: .object(training), accuracy: accuracy,
            createdAt: ISO8601DateFormatter().string(from: Date()), tool: "certssb train")
        manifest.searchModels = d.searchModels
        try manifest.encoded().write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("manifest.json")), options: .atomic)
        return manifest
    }
}
