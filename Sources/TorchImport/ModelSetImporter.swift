import CertCore
import Foundation

/// Turns a folder of the authors' `smoothed_K.model` checkpoints into a model set.
/// Model K keeps its index; its noise seed is int(sha256(file bytes)) mod 2^32, the seed
/// the authors intended (METHOD.md §2.3), and its source file and hash go into the manifest.
public enum ModelSetImporter {
    /// What the checkpoints cannot say about themselves, for the manifest.
    public struct Options: Sendable {
        /// The network the checkpoints hold (their tensors must match it exactly).
        public var architecture: Architecture
        /// The sigma the models were trained at (the authors' MNIST set: 0.12).
        public var sigma0: Double
        /// The trigger they were poisoned with (`onepixel`, …).
        public var trigger: String
        /// The trigger's L2 size.
        public var delta: Double = 1.0
        /// The fraction of the training set poisoned.
        public var poisonRate: Double = 0.02
        /// Class names, index = label.
        public var classes: [String] = ["0", "1"]
        /// The attacker's target label.
        public var targetLabel = 0
        /// Import only the first `limit` checkpoints; nil for all.
        public var limit: Int? = nil
        /// The set's name; nil gives `imported-ARCH-TRIGGER-sigmaS`.
        public var name: String? = nil
        /// Options with the paper's defaults for everything but these three.
        public init(architecture: Architecture, sigma0: Double, trigger: String) {
            self.architecture = architecture; self.sigma0 = sigma0; self.trigger = trigger
        }
    }

    /// `smoothed_K.model` files of a folder, ordered by K.
    public static func checkpointFiles(in directory: String) throws -> [(index: Int, path: String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw TorchImportError(path: directory, reason: "cannot list the checkpoint folder (missing or not a directory)")
        }
        let found: [(Int, String)] = names.compactMap { name in
            guard name.hasPrefix("smoothed_"), name.hasSuffix(".model"),
                let k = Int(name.dropFirst("smoothed_".count).dropLast(".model".count))
            else { return nil }
            return (k, (directory as NSString).appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
        guard !found.isEmpty else { throw TorchImportError(path: directory, reason: "no smoothed_K.model checkpoints here") }
        for (position, entry) in found.enumerated() where entry.0 != position {
            throw TorchImportError(
                path: directory, reason: "checkpoints are not numbered 0..<\(found.count): smoothed_\(position).model is missing")
        }
        return found.map { (index: $0.0, path: $0.1) }
    }

    /// Imports every `smoothed_K.model` of `directory` (or the first `options.limit`) into a model
    /// set at `output` and returns its manifest; `progress(done, total)` after each file. Throws
    /// `TorchImportError` naming the file for an unreadable checkpoint or a tensor that does not
    /// fit the architecture.
    @discardableResult
    public static func run(
        from directory: String, to output: String, options: Options,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> ModelSetManifest {
        var files = try checkpointFiles(in: directory)
        if let limit = options.limit { files = Array(files.prefix(limit)) }
        let specs = options.architecture.parameterSpecs
        var models: [ModelSetManifest.Model] = []
        var tensors: [[(name: String, shape: [Int], values: [Float])]] = []
        for (done, file) in files.enumerated() {
            let checkpoint = try TorchCheckpoint.load(path: file.path)
            let byName = Dictionary(checkpoint.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            if let extra = checkpoint.tensors.first(where: { t in !specs.contains { $0.name == t.name } }) {
                throw TorchImportError(
                    path: file.path, reason: "tensor '\(extra.name)' is not a parameter of \(options.architecture.rawValue)")
            }
            tensors.append(
                try specs.map { spec in
                    guard let t = byName[spec.name] else {
                        throw TorchImportError(path: file.path, reason: "missing tensor '\(spec.name)' of \(options.architecture.rawValue)")
                    }
                    guard t.shape == spec.shape else {
                        throw TorchImportError(
                            path: file.path,
                            reason: "tensor '\(spec.name)' has shape \(t.shape), \(options.architecture.rawValue) needs \(spec.shape)")
                    }
                    return (spec.name, spec.shape, t.values)
                })
            let mapped = try MappedFile(path: file.path)
            let sha = Checksum.sha256Hex(mapped.bytes)
            models.append(
                ModelSetManifest.Model(
                    index: file.index, file: "", sha256: String(repeating: "0", count: 64),
                    noiseSeed: Checksum.seedModulo32(sha256Hex: sha),
                    source: .object(["file": .string((file.path as NSString).lastPathComponent), "sha256": .string(sha)])))
            progress(done + 1, files.count)
        }
        let manifest = ModelSetManifest(
            name: options.name ?? "imported-\(options.architecture.rawValue)-\(options.trigger)-sigma\(options.sigma0)",
            architecture: options.architecture, classes: options.classes, targetLabel: options.targetLabel,
            sigma0: options.sigma0, trigger: options.trigger, delta: options.delta, poisonRate: options.poisonRate,
            models: models,
            training: .object([
                "method": .string("imported"),
                "from": .string("PyTorch checkpoints smoothed_K.model (the authors' released models)"),
                "noise_seed_rule": .string("int(sha256(checkpoint file), 16) mod 2^32"),
            ]),
            createdAt: ISO8601DateFormatter().string(from: Date()), tool: "certssb import-torch")
        return try ModelSet.write(directory: output, manifest: manifest, tensors: tensors)
    }
}
