import CertSystem
import Foundation

/// A directory with `manifest.json` and one safetensors file per model (CONTRACTS.md §3).
public struct ModelSet: Sendable {
    /// The directory the set was loaded from (or written to).
    public let directory: String
    /// The decoded, validated manifest.
    public let manifest: ModelSetManifest
    /// One loaded model per manifest entry, in order.
    public let weights: [ModelWeights]

    /// Content identity: SHA-256 over the models' file hashes and the manifest's semantics,
    /// so a store knows whether verdicts came from these exact models.
    public var id: String {
        let key = ([manifest.architecture.rawValue, String(manifest.sigma0)] + manifest.models.map { "\($0.sha256):\($0.noiseSeed)" })
            .joined(separator: "\n")
        return Checksum.sha256Hex(Data(key.utf8))
    }

    /// N_m, the number of models loaded.
    public var count: Int { weights.count }

    /// The first `n` models only (the paper's --N_m on a larger set). The id changes with them.
    public func prefix(_ n: Int) -> ModelSet {
        guard n < weights.count else { return self }
        var m = manifest
        m.models = Array(m.models.prefix(n))
        m.nModels = m.models.count
        m.searchModels = m.searchModels.map { $0.filter { $0 < n } }.flatMap { $0.isEmpty || $0.count >= n ? nil : $0 }
        return ModelSet(directory: directory, manifest: m, weights: Array(weights.prefix(n)))
    }

    /// The largest `manifest.json` read (16 MiB; the shipped 72-model set's is 35 KB).
    public static let maximumManifestBytes = 16 << 20

    /// Loads and validates a model set. `verifyChecksums` re-hashes every weights file.
    public static func load(directory: String, verifyChecksums: Bool = true) throws -> ModelSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ModelSetError.missing("\(directory): no such model set directory")
        }
        guard isDirectory.boolValue else { throw ModelSetError.missing("\(directory): not a directory") }
        let manifestPath = (directory as NSString).appendingPathComponent("manifest.json")
        // Read through CertSystem with a cap, not FileManager.contents(atPath:), which leaks 4 KiB
        // on every empty file (found by the modelset fuzz target).
        let data: Data
        do { data = Data(try SystemCall.readFile(manifestPath, limit: Self.maximumManifestBytes)) } catch let error as SystemError {
            guard error.errno == ENOENT else {
                throw ModelSetError.inFile(manifestPath, underlying: error.note.isEmpty ? error.reason : error.note)
            }
            throw ModelSetError.missing("\(directory): no manifest.json (not a model set?)")
        }
        let manifest: ModelSetManifest
        do { manifest = try ModelSetManifest.decode(data) } catch let e as ModelSetError {
            throw ModelSetError.inFile(manifestPath, underlying: e.description)
        }
        try validate(manifest, at: manifestPath)
        var weights: [ModelWeights] = []
        weights.reserveCapacity(manifest.models.count)
        for entry in manifest.models {
            let path = (directory as NSString).appendingPathComponent(entry.file)
            let w = try ModelWeights(path: path, architecture: manifest.architecture)
            if verifyChecksums {
                let actual = Checksum.sha256Hex(w.file.bytes)
                guard actual == entry.sha256.lowercased() else {
                    throw ModelSetError.inFile(path, underlying: "sha256 is \(actual), manifest says \(entry.sha256)")
                }
            }
            weights.append(w)
        }
        return ModelSet(directory: directory, manifest: manifest, weights: weights)
    }

    static func validate(_ m: ModelSetManifest, at path: String) throws {
        func fail(_ why: String) -> ModelSetError { .inFile(path, underlying: why) }
        guard m.format == ModelSetManifest.formatName else {
            throw fail("format is '\(m.format)', expected '\(ModelSetManifest.formatName)'")
        }
        guard m.formatVersion == ModelSetManifest.currentFormatVersion else {
            throw fail("format_version \(m.formatVersion) is not supported (this build reads \(ModelSetManifest.currentFormatVersion))")
        }
        guard m.inputShape == m.architecture.inputShape else {
            throw fail("input_shape \(m.inputShape) does not match \(m.architecture.rawValue) \(m.architecture.inputShape)")
        }
        guard m.classes.count >= 2 else { throw fail("needs at least two classes") }
        guard m.classes.count == 2 || m.architecture.outputs == m.classes.count else {
            throw fail("\(m.classes.count) classes but \(m.architecture.rawValue) has \(m.architecture.outputs) output(s)")
        }
        guard (0..<m.classes.count).contains(m.targetLabel) else { throw fail("target_label \(m.targetLabel) is not a class") }
        guard m.sigma0 > 0, m.sigma0.isFinite else { throw fail("sigma0 must be positive") }
        guard !m.models.isEmpty else { throw fail("lists no models") }
        guard m.nModels == m.models.count else { throw fail("n_models is \(m.nModels) but \(m.models.count) models are listed") }
        if let search = m.searchModels {
            guard Set(search).count == search.count, search.allSatisfy({ (0..<m.models.count).contains($0) }) else {
                throw fail("search_models must be distinct model indices in 0..<\(m.models.count)")
            }
            guard search.count < m.models.count else { throw fail("search_models leaves no model to certify with") }
        }
        for (i, model) in m.models.enumerated() {
            guard model.index == i else { throw fail("models[\(i)] has index \(model.index)") }
            guard !model.file.contains(".."), !model.file.hasPrefix("/") else { throw fail("models[\(i)].file must stay inside the set") }
            guard model.sha256.count == 64, model.sha256.allSatisfy(\.isHexDigit) else {
                throw fail("models[\(i)].sha256 is not a SHA-256 hex digest")
            }
        }
    }

    /// Writes tensors as a model set: one safetensors file per model plus the manifest.
    /// `models[i].file` and `.sha256` are filled in here.
    @discardableResult
    public static func write(
        directory: String, manifest: ModelSetManifest,
        tensors: [[(name: String, shape: [Int], values: [Float])]]
    ) throws -> ModelSetManifest {
        precondition(tensors.count == manifest.models.count)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var manifest = manifest
        let dtype = Safetensors.DType(rawValue: manifest.weightsDtype) ?? .f32
        for (i, modelTensors) in tensors.enumerated() {
            let file = String(format: "model_%04d.safetensors", i)
            let data = try Safetensors.encode(modelTensors, dtype: dtype)
            try data.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(file)), options: .atomic)
            manifest.models[i].file = file
            manifest.models[i].sha256 = Checksum.sha256Hex(data)
        }
        manifest.nModels = manifest.models.count
        try manifest.encoded().write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("manifest.json")), options: .atomic)
        return manifest
    }
}
