import ArgumentParser
import CertCore
import CertScheduler
import Certify
import Foundation

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Clean logits (no noise) of every model: one JSON line per file with a `logits` array indexed by model.")

    @OptionGroup var models: ModelSetOptions

    @Argument(help: "PNG, JPEG, PGM/PPM or .npy files.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
    }

    func run() throws {
        let set = try models.load()
        // Every model of the set, search models included, in the set's order.
        let scheduler = NoiseBatchScheduler(ensemble: Ensemble(modelSet: set), workers: models.workers)
        let outputs = scheduler.ensemble.outputs
        let loaded = files.map { InputFiles.load($0, expecting: set.manifest.inputShape) }
        let requests = loaded.compactMap { try? $0.get() }
        let ensemble = scheduler.ensemble
        var logits = scheduler.logits(images: requests.map { ensemble.prepare($0.pixels) }, scales: requests.map { _ in 0 }).makeIterator()
        var requestIterator = requests.makeIterator()
        var anyError = false
        for result in loaded {
            switch result {
            case .success:
                let request = requestIterator.next()!, row = logits.next()!
                let values: Any =
                    outputs == 1
                    ? row.map(Double.init)
                    : stride(from: 0, to: row.count, by: outputs).map { Array(row[$0..<($0 + outputs)]).map(Double.init) }
                let object: [String: Any] = ["source": request.source, "sha256": request.sha256, "model_set": set.id, "logits": values]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            case let .failure(error):
                anyError = true
                InputFiles.reportError(error)
            }
        }
        if anyError { throw ExitCode(2) }
    }
}
