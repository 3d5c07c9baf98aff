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
            "Measure sgemm, forward passes and certification throughput on this machine (--storage-update: the storage-update against the brute force at 10⁶ regions).",
        discussion:
            "Build with -c release first. Figures are printed with the CPU and the OpenBLAS kernel they ran on; compare ratios within one run."
    )

    @Option(help: "Models in the certification benchmark (random weights, written once to --cache).")
    var models = 1000

    @Option(help: "Images per certification batch.")
    var batch = 64

    @Option(help: "Seconds to spend on each measurement.")
    var seconds = 2.0

    @Option(help: "Where the random benchmark model set is kept between runs.")
    var cache = NSTemporaryDirectory() + "certssb-bench"

    @Option(help: "Worker counts to compare, comma-separated.")
    var workers = "1,2"

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "mnist_5k.csv(.gz) for the training benchmark (0/1 digits); default ../shared/data or run/data if present.")
    var trainingData: String?

    @Option(help: "Epochs of the training benchmark.")
    var trainingEpochs = 5

    @Flag(
        help:
            "Only the storage-update benchmark: the region index against the brute force on a cached store of --regions regions (mnist_5k digits with seeded jitter, labels and radii of real verdicts of --storage-model-set)."
    )
    var storageUpdate = false

    @Option(help: "Regions in the storage-update benchmark's store.")
    var regions = 1_000_000

    @Option(
        help:
            "Where the storage-update store and verdicts are kept between runs (default $XDG_CACHE_HOME/certssb/bench or ~/.cache/certssb/bench)."
    )
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

    func run() throws {
        BLAS.useSingleThread()
        let machine = MachineInfo.current()
        if storageUpdate { return try runStorageUpdate(machine) }
        let gemm = Benchmarks.gemm(seconds: seconds / 4)
        let noise = Benchmarks.noise(seconds: seconds / 4)
        let set = try benchModelSet()
        let ensemble = Ensemble(modelSet: set)
        let forward = Benchmarks.forward(ensemble: ensemble, seconds: seconds)
        let training = try trainingBenchmark()
        let certify = workerCounts.map {
            Benchmarks.certify(modelSet: set, ensemble: ensemble, workers: $0, batch: batch, seconds: seconds)
        }
        let pipeline: PipelineBenchmark.Result
        do { pipeline = try PipelineBenchmark.run(modelSet: set.directory, workers: workerCounts.max() ?? 1, images: batch) } catch {
            throw CLIFailure(error)
        }
        if json {
            struct Report: Encodable {
                var machine: MachineInfo; var gemm: [Benchmarks.GemmResult]; var noiseDrawsPerSecond: Double;
                var forward: Benchmarks.ForwardResult; var certify: [Benchmarks.CertifyResult];
                var daemonPipeline: PipelineBenchmark.Result; var training: Benchmarks.TrainingResult?
            }
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(
                String(
                    decoding: try e.encode(
                        Report(
                            machine: machine, gemm: gemm, noiseDrawsPerSecond: noise, forward: forward, certify: certify,
                            daemonPipeline: pipeline, training: training)), as: UTF8.self))
            return
        }
        printMachine(machine)
        print("\nsgemm, one thread")
        for g in gemm {
            print("  " + g.label.padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: " %8.1f GFLOP/s", g.gflops))
        }
        print(String(format: "\nnoise     %.1f million normal draws/s (Philox4x32-10 + Box–Muller, one thread)", noise / 1e6))
        print("\nforward, \(forward.architecture), one model, one thread, tiles of 16")
        print(
            String(
                format: "  %.0f forwards/s  (%.2f MFLOP each, %.1f GFLOP/s)", forward.forwardsPerSecond, forward.mflopPerForward,
                forward.gflops))
        print("\ncertify, \(set.count) models (random weights), batch \(batch)")
        for c in certify {
            print(
                String(
                    format: "  %d worker(s): %7.2f images/s   single image %8.1f ms", c.workers, c.imagesPerSecond, c.singleImageLatencyMs))
        }
        if certify.count >= 2 {
            print(
                String(
                    format: "  speed-up %d→%d workers: %.2fx", certify[0].workers, certify.last!.workers,
                    certify.last!.imagesPerSecond / certify[0].imagesPerSecond))
        }
        print("\ndaemon pipeline (certssbd without the socket), \(set.count) models, \(pipeline.workers) worker(s), sigma fixed")
        print(
            String(
                format: "  %7.2f images/s over %d PNG uploads: decode, certify, %d trigger report(s) each, storage-update, LMDB commit",
                pipeline.imagesPerSecond, pipeline.images, pipeline.plugins))
        if let t = training {
            print(
                "\ntraining, mnist-cnn on \(t.images) images (0/1 digits of mnist_5k), \(t.epochs) epochs, batch \(t.batchSize), one thread"
            )
            print(
                String(
                    format: "  %.2f s per model = %.0f models/hour per core (models train one per worker)", t.secondsPerModel,
                    t.modelsPerHourPerCore))
            print(
                "  PyTorch on the same recipe: python3 scripts/bench-torch-train.py --csv CSV --epochs \(t.epochs) (needs `pip install torch`)"
            )
        }
        print(
            "\nreference (CONTRACTS.md §6): the released PyTorch loop does ~19 images/s batched, ~4 images/s one at a time at N_m = 1000 on this class of machine."
        )
    }

    private func runStorageUpdate(_ machine: MachineInfo) throws {
        guard
            let data = [trainingData, "../shared/data/mnist_5k.csv.gz", "run/data/mnist_5k.csv.gz"].compactMap({ $0 })
                .first(where: { FileManager.default.fileExists(atPath: $0) })
        else {
            throw CLIFailure("the storage-update benchmark needs mnist_5k.csv.gz: pass --training-data PATH")
        }
        let bench = StorageUpdateBenchRun(
            regions: regions, cache: storeCache ?? StorageUpdateBenchRun.defaultCache, modelSet: storageModelSet,
            data: data, digits: storageDigits, jitter: jitter, seed: 20_261_010, shuffled: shuffledLabels,
            workers: workerCounts.max() ?? 1)
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

    private var workerCounts: [Int] { workers.split(separator: ",").compactMap { Int($0) }.filter { $0 >= 1 } }

    private func printMachine(_ machine: MachineInfo) {
        print("machine   \(machine.cpu), \(machine.logicalCores) cores, \(machine.kernel)")
        print(
            "openblas  kernel \(machine.openBLASCore) (OPENBLAS_CORETYPE=\(machine.openBLASCoretypeEnv ?? "unset")); \(machine.openBLASConfig)"
        )
        print("build     \(machine.build)")
    }

    private func trainingBenchmark() throws -> Benchmarks.TrainingResult? {
        let candidates = [trainingData, "../shared/data/mnist_5k.csv.gz", "run/data/mnist_5k.csv.gz"].compactMap { $0 }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else { return nil }
        let data: (images: [DecodedImage], labels: [Int])
        do { data = try MNISTCSV.load(path: path) } catch { throw CLIFailure(error) }
        let keep = data.labels.indices.filter { data.labels[$0] <= 1 }
        let set = TrainingSet(
            shape: [1, 28, 28], pixels: keep.flatMap { data.images[$0].pixels }, labels: keep.map { data.labels[$0] },
            sigmas: [Float](repeating: 0.12, count: keep.count), classes: 2)
        return Benchmarks.training(set, epochs: trainingEpochs, batchSize: 64)
    }

    /// A random MNIST-CNN set of `models` models, created once and reused.
    private func benchModelSet() throws -> ModelSet {
        let dir = (cache as NSString).appendingPathComponent("mnist-cnn-\(models)")
        if let set = try? ModelSet.load(directory: dir, verifyChecksums: false), set.count == models { return set }
        FileHandle.standardError.write(Data("writing \(models) random MNIST-CNN models to \(dir) (once)...\n".utf8))
        try? FileManager.default.removeItem(atPath: dir)
        do {
            try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: models)
            return try ModelSet.load(directory: dir, verifyChecksums: false)
        } catch { throw CLIFailure(error) }
    }
}
