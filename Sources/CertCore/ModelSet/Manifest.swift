import CertShape
import Foundation

/// `manifest.json` of a model set (CONTRACTS.md §3): what the models are, how they were made,
/// and the checksum and noise seed of every weights file.
public struct ModelSetManifest: Codable, Sendable, Equatable {
    /// The `format` every manifest carries: "certssb-model-set".
    public static let formatName = "certssb-model-set"
    /// The `format_version` this build writes and reads (1); another version is refused at load.
    public static let currentFormatVersion = 1

    /// One model's entry in `models`.
    public struct Model: Codable, Sendable, Equatable {
        /// Position in the set, equal to its place in `models` (checked at load).
        public var index: Int
        /// Safetensors file, relative to the model-set directory.
        public var file: String
        /// SHA-256 of that file's bytes, checked at load.
        public var sha256: String
        /// Seed of this model's fixed test noise z_m.
        public var noiseSeed: UInt32
        /// Where the weights came from (the authors' checkpoint and its hash), if imported.
        public var source: JSONValue?

        /// An entry; `ModelSet.write` fills in `file` and `sha256` when it writes the weights.
        public init(index: Int, file: String, sha256: String, noiseSeed: UInt32, source: JSONValue? = nil) {
            self.index = index; self.file = file; self.sha256 = sha256; self.noiseSeed = noiseSeed; self.source = source
        }
    }

    /// Always `formatName`; checked at load.
    public var format: String = Self.formatName
    /// Always `currentFormatVersion`; checked at load.
    public var formatVersion: Int = Self.currentFormatVersion
    /// A human name for the set (`random-mnist-cnn-16`, the import's or training's name).
    public var name: String
    /// The network every model of the set has.
    public var architecture: Architecture
    /// `[C, H, W]` in JSON; must equal the architecture's input shape (checked at load).
    public var inputShape: ImageShape
    /// Class names; index = label. Binary tasks: label 1 is the sigmoid's positive class.
    public var classes: [String]
    /// The attacker's target label: the class the poisoned training samples were relabelled to.
    public var targetLabel: Int
    /// The training noise level, and the sigma the search starts from (> 0).
    public var sigma0: Double
    /// The trigger plugin the set was poisoned with (`onepixel`, …; `none` for random sets).
    public var trigger: String
    /// The trigger's L2 size used for poisoning.
    public var delta: Double
    /// The fraction of training samples poisoned (0.02 in the paper).
    public var poisonRate: Double
    /// N_m; equals `models.count` (checked at load).
    public var nModels: Int
    /// `F32` (mapped in place) or `F16` (widened at load).
    public var weightsDtype: String
    /// One entry per weights file, in model order.
    public var models: [Model]
    /// Indices of the models that choose each input's label and sigma and never certify
    /// (`ModelSet.roles`); absent in imported and older sets, which then split off a
    /// documented, seeded sample.
    public var searchModels: [Int]?
    /// The recipe and every seed (free-form: its schema grows).
    public var training: JSONValue?
    /// Accuracy measured when the set was made (free-form).
    public var accuracy: JSONValue?
    /// ISO 8601 time the set was written.
    public var createdAt: String
    /// What wrote it (`certssb`, or the importer's name).
    public var tool: String

    /// A manifest whose `input_shape` and `n_models` follow from `architecture` and `models`.
    public init(
        name: String, architecture: Architecture, classes: [String], targetLabel: Int = 0, sigma0: Double,
        trigger: String, delta: Double = 1.0, poisonRate: Double = 0.02, weightsDtype: String = "F32",
        models: [Model], training: JSONValue? = nil, accuracy: JSONValue? = nil, createdAt: String, tool: String
    ) {
        self.name = name; self.architecture = architecture; self.inputShape = architecture.inputShape
        self.classes = classes; self.targetLabel = targetLabel; self.sigma0 = sigma0; self.trigger = trigger
        self.delta = delta; self.poisonRate = poisonRate; self.nModels = models.count; self.weightsDtype = weightsDtype
        self.models = models; self.training = training; self.accuracy = accuracy; self.createdAt = createdAt; self.tool = tool
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    /// Pretty-printed, sorted, snake_case JSON with a final newline: what `manifest.json` holds.
    public func encoded() throws -> Data { try Self.encoder.encode(self) + Data("\n".utf8) }

    /// Decodes `manifest.json`. Throws `ModelSetError.corrupt` naming the missing key or the bad
    /// value's path, in snake_case.
    public static func decode(_ data: Data) throws -> ModelSetManifest {
        do {
            return try decoder.decode(ModelSetManifest.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ModelSetError.corrupt("manifest.json lacks the key '\(key.stringValue.snakeCased)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue.snakeCased }.joined(separator: ".")
            throw ModelSetError.corrupt("manifest.json: bad value at '\(path)': \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue.snakeCased }.joined(separator: ".")
            throw ModelSetError.corrupt("manifest.json is not valid: \(path.isEmpty ? "" : "at '\(path)': ")\(context.debugDescription)")
        }
    }
}

extension String {
    var snakeCased: String {
        var out = ""
        for ch in self {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}
