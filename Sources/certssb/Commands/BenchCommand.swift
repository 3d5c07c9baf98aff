import ArgumentParser
import CertBench
import CertCore
import CertData
import CertTraining
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure the engine, the trained set with and without a target, certssbd, the storage-update and PyTorch on this machine, and check issue 10's targets (--storage-update: the storage-update alone).",
        discussion: """
            Build with swift build -c release first (certssbd is run from next to certssb). Every figure is the median of \
            --repeats runs with its min and max; the targets are ratios of this run's medians. The random and trained model \
            sets and the storage-update store are made once and kept in --cache and --store-cache. The README's \
            "Benchmarks" section defines every key.
            """
    )

    @Option(help: "Models of the random fp32 set (images_per_s, latency, certssbd, PyTorch), written once to --cache.")
    var models = 1000

    @Option(help: "Images of images_per_s (the workers of --workers).")
    var images = 1000

    @Option(help: "Images of the 1-worker run behind scaling_2_over_1.")
    var imagesOneWorker = 256

    @Option(help: "Single images per latency run.")
    var latencyImages = 50

    @Option(help: "Worker threads (images_per_s, latency, the trained set, certssbd).")
    var workers = 2

    @Option(help: "Images per micro-batch (certssbd's max_batch).")
    var batch = 64

    @Option(help: "Runs of every figure (the median, min and max are reported).")
    var repeats = 3

    @Option(help: "Seconds for each small figure (sgemm on the MNIST shapes, one model's forward passes).")
    var seconds = 1.0

    @Option(
        help:
            "Where the random and trained model sets are kept between runs (default $XDG_CACHE_HOME/certssb/bench or ~/.cache/certssb/bench)."
    )
    var cache: String?

    @Option(help: "Models of the trained set (trained like the shipped set, once, into --cache).")
    var trainedModels = 512

    @Option(help: "Epochs of the trained set (the shipped set's 20).")
    var trainedEpochs = 20

    @Option(help: "Held-out digits certified with the trained set.")
    var heldOut = 200

    @Option(help: "PNG uploads per certssbd run.")
    var daemonImages = 1000

    @Option(help: "Concurrent socket clients uploading to certssbd (2 x max_batch keeps a micro-batch queued while one computes).")
    var daemonClients = 128

    @Option(help: "Python whose torch runs scripts/bench-torch-vmap.py (skipped when it cannot import torch).")
    var torchPython = "python3"

    @Option(help: "The PyTorch comparison script.")
    var torchScript = "scripts/bench-torch-vmap.py"

    @Option(help: "Parts to leave out, comma-separated: engine, trained, daemon, storage, torch (their keys print null with the reason).")
    var skip = ""

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "mnist_5k.csv(.gz) for the storage-update store and --training (default ../shared/data, $CERTSSB_SHARED or run/data).")
    var trainingData: String?

    @Flag(help: "Also time training one model on one thread (the figure PyTorch's scripts/bench-torch-train.py compares with).")
    var training = false

    @Option(help: "Epochs of the --training figure.")
    var trainingEpochs = 5

    @Flag(
        help:
            "Only the storage-update benchmark: the region index against the brute force on a cached store of --regions regions (mnist_5k digits with seeded jitter, labels and radii of real verdicts of --storage-model-set)."
    )
    var storageUpdate = false

    @Option(help: "Regions in the storage-update benchmark's store.")
    var regions = 1_000_000

    @Option(help: "Where the storage-update store and verdicts are kept between runs (default: as --cache).")
    var storeCache: String?

    @Option(help: "The model set whose verdicts label the storage-update store.")
    var storageModelSet = "model/mnist/onepixel/sigma1.25"

    @Option(help: "Use only the first N digits of mnist_5k for the storage-update store (default all).")
    var storageDigits: Int?

    @Option(help: "Largest change of a pixel in the storage-update store's jitter (uniform, then clamped to [0, 1]).")
    var jitter: Float = 0.02

    @Flag(
        help:
            "Stress test: label each stored region with the verdict of a random digit instead of its own (many overlapping balls of different labels)."
    )
    var shuffledLabels = false

    func validate() throws {
        guard models >= 2, images >= 1, imagesOneWorker >= 1, latencyImages >= 1, workers >= 1, batch >= 1, repeats >= 1 else {
            throw ValidationError("--models must be at least 2; --images, --latency-images, --workers, --batch and --repeats at least 1")
        }
        guard trainedModels >= 2, trainedEpochs >= 1, heldOut >= 1, daemonImages >= 1, daemonClients >= 1 else {
            throw ValidationError("--trained-models must be at least 2; --trained-epochs, --held-out and the daemon's counts at least 1")
        }
        let unknown = skipped.subtracting(FullBenchRun.parts)
        guard unknown.isEmpty else {
            throw ValidationError(
                "--skip: unknown part(s) \(unknown.sorted().joined(separator: ", ")); parts: \(FullBenchRun.parts.joined(separator: ", "))")
        }
    }

    private var skipped: Set<String> {
        Set(skip.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    private var cacheDirectory: String { cache ?? StorageUpdateBenchRun.defaultCache }

    func run() throws {
        BLAS.useSingleThread()
        let machine = MachineInfo.current()
        if storageUpdate { return try runStorageUpdate(machine) }
        let settings = FullBenchRun.Settings(
            cache: cacheDirectory, models: models, images: images, imagesOneWorker: imagesOneWorker, latencyImages: latencyImages,
            workers: workers, batch: batch, repeats: repeats, trainedModels: trainedModels, trainedEpochs: trainedEpochs,
            heldOut: heldOut, daemonImages: daemonImages, daemonClients: daemonClients, regions: regions,
            storeCache: storeCache ?? cacheDirectory, storageModelSet: storageModelSet, storageDigits: storageDigits,
            storageData: trainingData, torchPython: torchPython, torchScript: torchScript, seconds: seconds, skip: skipped)
        var bench = FullBenchRun(settings: settings, machine: machine)
        var report = try bench.run()
        if training, let t = try trainingBenchmark() {
            report.set("training_s_per_model", BenchFigure(single: t.secondsPerModel))
        }
        if json {
            print(report.jsonText)
            return
        }
        printMachine(machine)
        print("")
        report.table.forEach { print($0) }
        if let command = report.strings["torch_command"] { print("\nPyTorch on the same weights: \(command)") }
    }

    private func runStorageUpdate(_ machine: MachineInfo) throws {
        let shared = BenchTrainedSet.sharedDirectory.map { ($0 as NSString).appendingPathComponent("data/mnist_5k.csv.gz") }
        guard
            let data = [trainingData, shared, "run/data/mnist_5k.csv.gz"].compactMap({ $0 })
                .first(where: { FileManager.default.fileExists(atPath: $0) })
        else {
            throw CLIFailure("the storage-update benchmark needs mnist_5k.csv.gz: pass --training-data PATH")
        }
        let bench = StorageUpdateBenchRun(
            regions: regions, cache: storeCache ?? cacheDirectory, modelSet: storageModelSet,
            data: data, digits: storageDigits, jitter: jitter, seed: 20_261_010, shuffled: shuffledLabels,
            workers: workers)
        let result = try bench.run()
        if json {
            var report = result.jsonFields
            report["machine"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(machine))
            print(
                String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        printMachine(machine)
        result.printTable()
    }

    private func printMachine(_ machine: MachineInfo) {
        print("machine   \(machine.cpu), \(machine.logicalCores) cores, \(machine.memoryGB.map { "\($0) GB, " } ?? "")\(machine.kernel)")
        if let flags = machine.cpuFlags { print("flags     \(flags.joined(separator: " "))") }
        print(
            "openblas  kernel \(machine.openBLASCore) (OPENBLAS_CORETYPE=\(machine.openBLASCoretypeEnv ?? "unset")); \(machine.openBLASConfig)"
        )
        print("build     \(machine.build)\(machine.loadAverage.map { "; load average \($0)" } ?? "")")
    }

    private func trainingBenchmark() throws -> Benchmarks.TrainingResult? {
        let shared = BenchTrainedSet.sharedDirectory.map { ($0 as NSString).appendingPathComponent("data/mnist_5k.csv.gz") }
        let candidates = [trainingData, shared, "run/data/mnist_5k.csv.gz"].compactMap { $0 }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else { return nil }
        let data: (images: [DecodedImage], labels: [Int])
        do { data = try MNISTCSV.load(path: path) } catch { throw CLIFailure(error) }
        let keep = data.labels.indices.filter { data.labels[$0] <= 1 }
        let set = TrainingSet(
            shape: [1, 28, 28], pixels: keep.flatMap { data.images[$0].pixels }, labels: keep.map { data.labels[$0] },
            sigmas: [Float](repeating: 0.12, count: keep.count), classes: 2)
        return Benchmarks.training(set, epochs: trainingEpochs, batchSize: 64)
    }
}
