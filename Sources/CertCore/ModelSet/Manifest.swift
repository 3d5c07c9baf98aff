import CertShape
import Foundation

/// `manifest.json` of a model set (DESIGN 3): what the models are, how they were made,
/// and the checksum and noise seed of every weights file.
public struct ModelSetManifest: Codable, Sendable, Equatable {
    public static let formatName = "certssb-model-set"
    public static let currentFormatVersion = 1

    public struct Model: Codable, Sendable, Equatable {
        public var index: Int
        /// Safetensors file, relative to the model-set directory.
        public var file: String
        /// SHA-256 of that file's bytes, checked at load.
        public var sha256: String
        /// Seed of this model's fixed test noise z_m.
        public var noiseSeed: UInt32
        /// Where the weights came from (the authors' checkpoint and its hash), if imported.
        public var source: JSONValue?

        public init(index: Int, file: String, sha256: String, noiseSeed: UInt32, source: JSONValue? = nil) {
            self.index = index; self.file = file; self.sha256 = sha256; self.noiseSeed = noiseSeed; self.source = source
        }
    }

    public var format: String = Self.formatName
    public var formatVersion: Int = Self.currentFormatVersion
    public var name: String
    public var architecture: Architecture
    public var inputShape: ImageShape
    /// Class names; index = label. Binary tasks: label 1 is the sigmoid's positive class.
    public var classes: [String]
    public var targetLabel: Int
    public var sigma0: Double
    public var trigger: String
    public var delta: Double
    public var poisonRate: Double
    public var nModels: Int
    public var weightsDtype: String
    public var models: [Model]
    /// Indices of the models that choose each input's label and sigma and never certify
    /// (`ModelSet.roles`); absent in imported and older sets, which then split off a
    /// documented, seeded sample.
    public var searchModels: [Int]?
    public var training: JSONValue?
    public var accuracy: JSONValue?
    public var createdAt: String
    public var tool: String

    public init(name: String, architecture: Architecture, classes: [String], targetLabel: Int = 0, sigma0: Double,
                trigger: String, delta: Double = 1.0, poisonRate: Double = 0.02, weightsDtype: String = "F32",
                models: [Model], training: JSONValue? = nil, accuracy: JSONValue? = nil, createdAt: String, tool: String) {
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

    public func encoded() throws -> Data { try Self.encoder.encode(self) + Data("\n".utf8) }

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
