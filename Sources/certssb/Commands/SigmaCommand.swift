import ArgumentParser
import CertCore
import CertData
import Foundation

struct SigmaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigma",
        abstract: "Compute and store the sample-specific sigma of every input of a data split.",
        discussion:
            "The store (--store) is keyed by the model set and each sample's SHA-256; `certssb train --sigma-store` and a rerun read the sigmas back."
    )

    @Option(help: "Model set whose models give the gradient.")
    var modelSet: String

    @Option(help: "mnist, fashion, cifar or imagenet.")
    var dataset = "mnist"

    @Option(help: "A data file or the paper's data/ folder.")
    var data: String?

    @Option(help: "train or test.")
    var split = "test"

    @Option(help: "LMDB store to write the sigmas into.")
    var store: String

    @Option(name: .customLong("sigma"), help: "Starting sigma (default: the model set's sigma0).")
    var sigma0: Double?

    @OptionGroup var sigma: SigmaArguments

    @Option(help: "Worker threads.")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one JSON line per sample (index, sigma).")
    var lines = false

    func validate() throws {
        guard ["train", "test"].contains(split) else { throw ValidationError("--split must be train or test") }
    }

    func run() throws {
        let shared = ProcessInfo.processInfo.environment["CERTSSB_SHARED"] ?? "../shared"
        let set: LabeledDataset
        do {
            let splits = try DatasetLocator.load(
                dataset: dataset, data: data, sharedDirectory: FileManager.default.fileExists(atPath: shared) ? shared : nil)
            let task = try BinaryTask.paper(dataset: dataset, classes: splits.train.classes)
            set = task.apply(split == "train" ? splits.train : splits.test)
        } catch { throw CLIFailure(error) }
        let start = sigma0 ?? (try? ModelSet.load(directory: modelSet, verifyChecksums: false).manifest.sigma0) ?? 0.12
        let result = try SampleSigmas.compute(
            for: set, options: sigma, modelSetDirectory: modelSet, storeDirectory: store,
            sigma0: start, workers: workers, role: split)
        if lines {
            for (i, s) in result.values.enumerated() { print("{\"index\":\(i),\"sigma\":\(s)}") }
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        FileHandle.standardError.write(
            Data(("sigmas of \(set.count) \(split) samples: " + String(decoding: try e.encode(result.summary), as: UTF8.self) + "\n").utf8))
    }
}
