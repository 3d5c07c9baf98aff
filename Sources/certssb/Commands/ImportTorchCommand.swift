import ArgumentParser
import CertCore
import Foundation
import TorchImport

struct ImportTorchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-torch",
        abstract: "Convert the authors' smoothed_K.model PyTorch checkpoints into a model set (no Python needed).")

    @Option(help: "Folder with smoothed_0.model, smoothed_1.model, ...")
    var from: String

    @Option(help: "Model-set directory to write.")
    var out: String

    @Option(help: "Architecture: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
    var arch: Architecture = .mnistCNN

    @Option(help: "sigma0 the models were trained with.")
    var sigma: Double

    @Option(help: "Trigger shape the models were poisoned with (onepixel, fourpixel, blending).")
    var trigger: String

    @Option(help: "Trigger size delta of the training poison.")
    var delta: Double = 1.0

    @Option(help: "Poisoned fraction of the training set.")
    var poisonRate: Double = 0.02

    @Option(help: "Import only the first N checkpoints.")
    var limit: Int?

    func validate() throws {
        guard sigma > 0 else { throw ValidationError("--sigma must be positive") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        var options = ModelSetImporter.Options(architecture: arch, sigma0: sigma, trigger: trigger)
        options.delta = delta
        options.poisonRate = poisonRate
        options.limit = limit
        // The total is known once the importer has listed the checkpoints.
        var progress: WorkProgress?
        defer { progress?.finish() }
        do {
            let manifest = try ModelSetImporter.run(from: from, to: out, options: options) { done, total in
                if progress == nil { progress = WorkProgress(label: "import-torch", total: total, unit: "checkpoints") }
                progress?.advance(by: done - (progress?.done ?? 0))
            }
            FileHandle.standardError.write(
                Data("imported \(manifest.nModels) models (\(arch.rawValue), sigma0 \(sigma)) into \(out)\n".utf8))
        } catch {
            throw CLIFailure(error)
        }
    }
}
