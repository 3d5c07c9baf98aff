import ArgumentParser
import CertCore
import CertSigma
import Certify
import Foundation
import TriggerKit

struct CertifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certify",
        abstract: "Certify image files: one JSON verdict per line, in input order.",
        discussion:
            "Exit 0 when every file is certified, 1 when some is not, 2 on any error (a bad file prints an error line and the rest go on).")

    @OptionGroup var models: ModelSetOptions
    @OptionGroup var certificate: CertificateOptions
    @OptionGroup var sigma: SigmaArguments

    @Option(help: "Images certified together (weights are read once per batch).")
    var batchSize = 64

    @Option(
        help:
            "Folder of trigger plugins for the verdicts' `triggers` (default: beside the executable, then $CERTSSB_PLUGIN_DIR, then the installed location)."
    )
    var pluginDir: String?

    @Flag(help: "Leave `triggers` empty: skips one ensemble pass per plugin and image.")
    var noTriggers = false

    @Argument(help: "PNG, JPEG, PGM/PPM or .npy files; a directory means every file under it (sorted), - standard input.")
    var inputs: [String]

    /// The files in input order, directories expanded.
    var files: [String] { InputPaths.expand(inputs) }

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one file") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let set = try models.load()
        let fallback: SigmaRule = certificate.compat == .released ? .released : .search
        let sigmaOptions = sigma.options(fallback: fallback, trigger: set.manifest.trigger)
        let certifier = Certifier(modelSet: set, workers: models.workers, options: certificate.certification, sigma: sigmaOptions)
        let plugins = noTriggers && certificate.targetRadius != "triggers" ? [] : Self.perturbations(pluginDir: pluginDir, modelSet: set)
        let perturbations = noTriggers ? [] : plugins
        var anyError = false, allCertified = true
        let files = self.files
        for chunk in stride(from: 0, to: files.count, by: batchSize).map({ Array(files[$0..<min($0 + batchSize, files.count)]) }) {
            let loaded = chunk.map { InputFiles.load($0, expecting: set.manifest.inputShape) }
            let requests = loaded.compactMap { try? $0.get() }
            let certified = certifier.certify(
                requests, targets: certifier.targets(requests, perturbations: plugins), reporting: perturbations)
            var results = certified.makeIterator()
            for result in loaded {
                switch result {
                case .success:
                    // A verdict, unless its pixels, a model or a plugin gave non-finite values.
                    switch results.next()! {
                    case let .success(verdict):
                        allCertified = allCertified && verdict.certified
                        print(verdict.jsonLine())
                    case let .failure(error):
                        anyError = true
                        InputFiles.reportError(error)
                    }
                case let .failure(error):
                    anyError = true
                    InputFiles.reportError(error)
                }
            }
        }
        if anyError { throw ExitCode(2) }
        if !allCertified { throw ExitCode(1) }
    }

    /// The trigger plugins that support the model set's shape; a refused one is reported once.
    static func perturbations(pluginDir: String?, modelSet set: ModelSet) -> [Perturbation] {
        let shape = set.manifest.inputShape, delta = set.manifest.delta
        let registry = pluginDir.map { TriggerRegistry.load(directory: $0, shape: shape) } ?? TriggerRegistry.loadDefault(shape: shape)
        for refusal in registry.refusals {
            FileHandle.standardError.write(Data("certssb: trigger plugin refused: \(refusal.path): \(refusal.reason)\n".utf8))
        }
        return registry.plugins.map { plugin in
            Perturbation(name: plugin.name) { plugin.applied(to: $0, shape: shape, delta: delta) }
        }
    }
}
