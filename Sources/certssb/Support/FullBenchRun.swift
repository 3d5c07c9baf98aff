import CertBench
import CertCore
import CertData
import CertScheduler
import CertShape
import CertSigma
import Certify
import Foundation
import TriggerKit

/// `certssb bench`: every figure of issue 10, item 7, in one run, as medians of `repeats`
/// runs with min and max, and the targets on them (CONTRACTS.md §6). Each part says what it
/// measures; the README's "Benchmarks" section defines every key.
struct FullBenchRun {
    struct Settings {
        var cache: String
        var models: Int
        var images: Int
        var imagesOneWorker: Int
        var latencyImages: Int
        var workers: Int
        var batch: Int
        var repeats: Int
        var trainedModels: Int
        var trainedEpochs: Int
        var heldOut: Int
        var daemonImages: Int
        var daemonClients: Int
        var regions: Int
        var storeCache: String
        var storageModelSet: String
        var storageDigits: Int?
        var storageData: String?
        var torchPython: String
        var torchScript: String
        var seconds: Double
        var skip: Set<String>
    }

    static let parts = ["engine", "trained", "daemon", "storage", "torch"]

    let settings: Settings
    var report: BenchReport

    init(settings: Settings, machine: MachineInfo) {
        self.settings = settings
        report = BenchReport(machine: machine)
    }

    static func say(_ s: String) { FileHandle.standardError.write(Data(("bench: " + s + "\n").utf8)) }

    mutating func run() throws -> BenchReport {
        let started = Stopwatch.now()
        BLAS.useSingleThread()
        report.strings["blas_kernel"] = BLAS.coreName
        report.strings["engine_kernels"] = KernelBuild.current.rawValue
        measureMachine()
        let random = try randomSet()
        if wanted("engine") { try measureEngine(random) } else { skipEngine("skipped by --skip engine") }
        // PyTorch right after the engine's latency, so the two single-image figures are taken
        // as close in time (and machine load) as they can be.
        if wanted("torch") { try measureTorch(random) } else { report.skip(Self.torchKeys, "skipped by --skip torch") }
        var trained: ModelSet?
        if wanted("trained") {
            do { trained = try measureTrained() } catch let e as SkipPart { report.skip(Self.trainedKeys, e.reason) }
        } else {
            report.skip(Self.trainedKeys, "skipped by --skip trained")
        }
        if wanted("daemon") { try measureDaemon(random, trained) } else { report.skip(Self.daemonKeys, "skipped by --skip daemon") }
        if wanted("storage") { try measureStorage() } else { report.skip(Self.storageKeys("1e6"), "skipped by --skip storage") }
        report.set("bench_seconds", BenchFigure(single: Stopwatch.now() - started))
        return report
    }

    private func wanted(_ part: String) -> Bool { !settings.skip.contains(part) }

    struct SkipPart: Error { var reason: String }

    static let trainedKeys = [
        "images_per_s_real", "images_per_s_target", "accuracy_real", "accuracy_target", "model_runs_per_image_real",
        "model_runs_per_image_target", "latency_ms_p50_target", "daemon_images_per_s_default",
    ]
    static let daemonKeys = ["daemon_images_per_s", "peak_rss_mb", "daemon_images_per_s_default"]
    static func storageKeys(_ s: String) -> [String] { ["storage_update_ms_\(s)", "storage_update_brute_ms_\(s)", "region_index_mb_\(s)"] }
    static let torchKeys = ["torch_vmap_latency_ms_p50", "torch_vmap_latency_ms_p99", "torch_loop_latency_ms_p50"]

    // MARK: the machine

    /// sgemm 1024³ on one thread (each run: the mean of 4 products), `repeats` runs; read
    /// bandwidth here too only when the engine part is skipped (else it is measured beside
    /// each latency run).
    private mutating func measureMachine() {
        Self.say("sgemm 1024³, one thread...")
        report.set("sgemm_gflops", BenchFigure(Benchmarks.sgemm(size: 1024, products: 4, repeats: settings.repeats)))
        if !wanted("engine") {
            Self.say("memory bandwidth, 2 threads...")
            report.set("memory_gbps", BenchFigure((0..<settings.repeats).map { _ in Self.readBandwidth() }))
        }
        for g in Benchmarks.gemm(seconds: settings.seconds / 4) where g.label.hasPrefix("mnist") {
            let key = "sgemm_" + g.label.split(separator: " ")[1] + "_gflops"
            report.set(key, BenchFigure(single: g.gflops))
        }
    }

    // MARK: the random fp32 set: throughput, scaling, latency, engine GFLOP/s, memory

    /// The random fp32 set of `models` models, written once to the cache.
    private func randomSet() throws -> ModelSet {
        let dir = (settings.cache as NSString).appendingPathComponent("mnist-cnn-\(settings.models)")
        if let set = try? ModelSet.load(directory: dir, verifyChecksums: false), set.count == settings.models { return set }
        Self.say("writing \(settings.models) random MNIST-CNN models (F32) to \(dir) (once)...")
        try? FileManager.default.removeItem(atPath: dir)
        do {
            try FileManager.default.createDirectory(atPath: settings.cache, withIntermediateDirectories: true)
            try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: settings.models)
            return try ModelSet.load(directory: dir, verifyChecksums: false)
        } catch { throw CLIFailure(error) }
    }

    private mutating func skipEngine(_ reason: String) {
        report.skip(
            ["images_per_s", "scaling_2_over_1", "latency_ms_p50", "latency_ms_p99", "engine_gflops", "weights_mb", "rss_mb"], reason)
    }

    private mutating func measureEngine(_ set: ModelSet) throws {
        let s = settings
        // Fixed sigma (sigma0), no target, no trigger reports: the label still comes from the
        // search models (2 draws each), as in the daemon with sigma_rule = fixed.
        let two = Certifier(modelSet: set, workers: s.workers, sigma: .fixedRule)
        // The same ensemble on one worker: no second copy of the weights in memory.
        let one = Certifier(
            modelSet: set, scheduler: NoiseBatchScheduler(ensemble: two.scheduler.ensemble, workers: 1), sigma: .fixedRule, workers: 1)
        let pixels = set.manifest.inputShape.count
        let images = EngineBench.requests(EngineBench.randomImages(s.images, pixels: pixels, seed: 10), name: "random")
        let certifying = two.scheduler.ensemble.count
        report.set("weights_mb", BenchFigure(single: Self.weightsMB(set.subset(set.roles.certify))))
        Self.say("warming up (\(set.count) models, \(certifying) certifying)...")
        _ = try EngineBench.certify(two, Array(images.prefix(s.batch)), batch: s.batch)
        _ = try EngineBench.certify(one, Array(images.prefix(2)), batch: s.batch)
        if let m = ProcessMemory.status() { report.set("rss_mb", BenchFigure(single: m.rssMB)) }

        var twoRuns: [Double] = [], oneRuns: [Double] = [], ratios: [Double] = [], gflops: [Double] = []
        let flop = Benchmarks.flops(two.scheduler.ensemble.plan)
        var runsPerImage = 0.0
        for r in 0..<s.repeats {
            // 2 and 1 workers back to back in each run, so the ratio is of neighbouring times.
            Self.say("run \(r + 1)/\(s.repeats): \(s.images) images on \(s.workers) workers, \(s.imagesOneWorker) on 1...")
            let a = try EngineBench.certify(two, images, batch: s.batch)
            let b = try EngineBench.certify(one, Array(images.prefix(s.imagesOneWorker)), batch: s.batch)
            let ips2 = Double(images.count) / a.seconds, ips1 = Double(b.verdicts.count) / b.seconds
            runsPerImage =
                Double(a.verdicts.reduce(0) { $0 + EngineBench.modelRuns($1, certifying: certifying) }) / Double(a.verdicts.count)
            twoRuns.append(ips2); oneRuns.append(ips1); ratios.append(ips2 / ips1)
            gflops.append(ips2 * runsPerImage * flop / Double(s.workers) / 1e9)
        }
        report.set("images_per_s", BenchFigure(twoRuns))
        report.set("images_per_s_1_worker", BenchFigure(oneRuns))
        report.set("scaling_2_over_1", BenchFigure(ratios))
        report.set("engine_gflops", BenchFigure(gflops))
        report.set("model_runs_per_image", BenchFigure(single: runsPerImage))
        report.set("mflop_per_model_run", BenchFigure(single: flop / 1e6))

        Self.say("latency: \(s.latencyImages) single images, \(s.workers) workers, \(s.repeats) runs, each after a bandwidth run...")
        let single = Array(images.suffix(s.latencyImages))
        // The memory bandwidth of this shared host moves by 2x within minutes: each latency run
        // is paired with a bandwidth run just before it, so latency_vs_weight_read compares
        // figures of the same moment.
        var bandwidth: [Double] = []
        let runs = try (0..<s.repeats).map { _ in
            bandwidth.append(Self.readBandwidth())
            return try EngineBench.latencies(two, single)
        }
        report.set("memory_gbps", BenchFigure(bandwidth))
        report.set("latency_ms_p50", BenchFigure.of(runs) { BenchFigure.percentile($0, 0.5) })
        report.set("latency_ms_p99", BenchFigure.of(runs) { BenchFigure.percentile($0, 0.99) })
        let forward = Benchmarks.forward(ensemble: one.scheduler.ensemble, seconds: s.seconds)
        report.set("forward_gflops_1_thread", BenchFigure(single: forward.gflops))
    }

    /// One run of the read bandwidth with 2 threads over 1 GiB (3 passes), GB/s.
    static func readBandwidth() -> Double { MemoryBandwidth.read(threads: 2, megabytes: 1024, passes: 3, repeats: 1)[0] }

    /// The stored bytes of `set`'s weights: every tensor of its architecture at the set's dtype.
    static func weightsMB(_ set: ModelSet) -> Double {
        let bytes = set.manifest.weightsDtype.uppercased() == "F16" ? 2 : 4
        return Double(set.count * set.manifest.architecture.parameterCount * bytes) / 1e6
    }

    // MARK: the trained set: real and target

    private mutating func measureTrained() throws -> ModelSet {
        let s = settings
        let digits: (requests: [CertificationRequest], labels: [Int], shape: ImageShape)
        do { digits = try BenchTrainedSet.heldOutDigits(limit: s.heldOut) } catch {
            throw SkipPart(reason: "no mnist_5k.csv.gz (../shared/data, $CERTSSB_SHARED or run/data): \(error)")
        }
        guard TriggerRegistry.loadDefault(shape: digits.shape)[BenchTrainedSet.trigger] != nil else {
            throw SkipPart(
                reason: "no trigger plugin '\(BenchTrainedSet.trigger)' to train and certify with (swift build -c release builds it)")
        }
        let trained = BenchTrainedSet(cache: s.cache, models: s.trainedModels, epochs: s.trainedEpochs)
        let set: ModelSet, trigger: Perturbation
        do {
            set = try trained.load(progress: Self.say)
            trigger = try BenchTrainedSet.ownTrigger(set)
        } catch { throw SkipPart(reason: "\(error)") }
        let scheduler = NoiseBatchScheduler(ensemble: Certifier.certifyingEnsemble(set), workers: s.workers)
        // The daemon's defaults (search, Clopper–Pearson, alpha 0.001, sound, fallback) ...
        let real = Certifier(modelSet: set, scheduler: scheduler, sigma: SigmaOptions(), workers: s.workers)
        // ... and the same with target_radius = triggers, which needs the betting bound.
        var options = CertificationOptions(bound: .betting)
        options.target = .triggers
        let target = Certifier(modelSet: set, scheduler: scheduler, options: options, sigma: SigmaOptions(), workers: s.workers)
        let radii = real.largestTriggerSize(digits.requests, perturbations: [trigger])
        let targets = target.targets(digits.requests, perturbations: [trigger])
        Self.say(
            "trained set \(set.count) models: \(digits.requests.count) held-out digits without a target and with "
                + "target_radius = triggers (betting), \(s.repeats) runs each, interleaved...")
        _ = try EngineBench.certify(real, Array(digits.requests.prefix(s.batch)), batch: s.batch)
        let outcomes = try TrainedSetBench.measure(
            [.init(real, targets: nil), .init(target, targets: targets)], digits: digits.requests, labels: digits.labels,
            targetRadii: radii, batch: s.batch, repeats: s.repeats)
        let (r, t) = (outcomes[0], outcomes[1])
        for (suffix, o) in [("real", r), ("target", t)] {
            report.set("images_per_s_\(suffix)", BenchFigure(o.imagesPerSecond))
            report.set("accuracy_\(suffix)", BenchFigure(single: o.accuracy))
            report.set("model_runs_per_image_\(suffix)", BenchFigure(single: o.modelRunsPerImage))
            report.set("search_runs_per_image_\(suffix)", BenchFigure(single: o.searchRunsPerImage))
            report.set("certifying_models_per_image_\(suffix)", BenchFigure(single: o.certifyingModelsPerImage))
            report.set("fallback_fraction_\(suffix)", BenchFigure(single: o.fallbackFraction))
        }
        report.set("stopped_early_fraction_target", BenchFigure(single: t.stoppedEarlyFraction))
        report.set("trained_models", BenchFigure(single: Double(set.count)))
        Self.say("latency with the target: \(s.latencyImages) single digits, \(s.repeats) runs...")
        let single = Array(digits.requests.prefix(s.latencyImages)), singleTargets = Array(targets.prefix(s.latencyImages))
        let runs = try (0..<s.repeats).map { _ in try EngineBench.latencies(target, single, targets: singleTargets) }
        report.set("latency_ms_p50_target", BenchFigure.of(runs) { BenchFigure.percentile($0, 0.5) })
        return set
    }

    // MARK: certssbd over its socket

    private mutating func measureDaemon(_ random: ModelSet, _ trained: ModelSet?) throws {
        let s = settings
        let shape = random.manifest.inputShape
        let pngs = try EngineBench.randomImages(s.daemonImages, pixels: shape.count, seed: 10).map {
            try PNGEncoder.encode(DecodedImage(shape: shape, pixels: $0))
        }
        // The settings of images_per_s: fixed sigma, no target, no trigger reports, 2 workers.
        let fixed = DaemonBench(
            config: ["sigma_rule": "fixed", "trigger_reports": "no", "workers": "\(s.workers)", "target_radius": "none"],
            modelSet: random.directory, clients: s.daemonClients)
        var ips: [Double] = [], peak: [Double] = [], start: [Double] = []
        for r in 0..<s.repeats {
            Self.say("certssbd run \(r + 1)/\(s.repeats): \(pngs.count) PNG uploads, \(s.daemonClients) clients, fixed sigma...")
            let run: DaemonBench.Run
            do { run = try fixed.run(uploads: pngs) } catch { throw CLIFailure("\(error)") }
            ips.append(run.imagesPerSecond); peak.append(run.peakRSSMB); start.append(run.startSeconds)
        }
        report.set("daemon_images_per_s", BenchFigure(ips))
        report.set("peak_rss_mb", BenchFigure(peak))
        report.set("daemon_start_s", BenchFigure(start))
        guard let trained else {
            report.skip(["daemon_images_per_s_default"], report.skipped["images_per_s_real"] ?? "no trained set")
            return
        }
        let digits = try BenchTrainedSet.heldOutDigits(limit: s.heldOut)
        let digitPNGs = try digits.requests.map { try PNGEncoder.encode(DecodedImage(shape: digits.shape, pixels: $0.pixels)) }
        // Every key at its default (search, Clopper–Pearson, trigger reports from every loaded
        // plugin, the storage-update, one worker per core); only the paths are the bench's.
        let defaults = DaemonBench(config: [:], modelSet: trained.directory, clients: s.daemonClients)
        var ipsDefault: [Double] = []
        for r in 0..<s.repeats {
            Self.say("certssbd run \(r + 1)/\(s.repeats): \(digitPNGs.count) held-out digits, default configuration...")
            do { ipsDefault.append(try defaults.run(uploads: digitPNGs).imagesPerSecond) } catch { throw CLIFailure("\(error)") }
        }
        report.set("daemon_images_per_s_default", BenchFigure(ipsDefault))
    }

    // MARK: the storage-update at 10⁶ regions (item 6; the store is cached)

    private mutating func measureStorage() throws {
        let s = settings
        let label = StorageUpdateBench.Result.label(regions: s.regions)
        let shared = BenchTrainedSet.sharedDirectory.map { ($0 as NSString).appendingPathComponent("data/mnist_5k.csv.gz") }
        guard
            let data = [s.storageData, shared, "run/data/mnist_5k.csv.gz"].compactMap({ $0 })
                .first(where: { FileManager.default.fileExists(atPath: $0) })
        else {
            report.skip(Self.storageKeys("1e6"), "no mnist_5k.csv.gz (../shared/data, $CERTSSB_SHARED, run/data or --training-data)")
            return
        }
        Self.say("storage-update at \(s.regions) regions (cached store under \(s.storeCache))...")
        var bench = StorageUpdateBenchRun(
            regions: s.regions, cache: s.storeCache, modelSet: s.storageModelSet, data: data, digits: s.storageDigits, jitter: 0.02,
            seed: 20_261_010, shuffled: false, workers: s.workers)
        bench.bruteBatchRepeats = s.repeats
        let result = try bench.run()
        report.storageSuffix = label
        report.set("storage_update_ms_\(label)", BenchFigure(result.batchRunsMs))
        report.set("storage_update_single_ms_\(label)", BenchFigure(result.singleRunsMs))
        report.set("storage_update_brute_ms_\(label)", BenchFigure(result.bruteBatchRunsMs))
        report.set("storage_update_brute_single_ms_\(label)", BenchFigure(result.bruteSingleRunsMs))
        report.set("region_index_mb_\(label)", BenchFigure(single: result.indexMB))
        report.set("storage_update_survivor_fraction_\(label)", BenchFigure(single: result.survivorFraction))
        report.strings["storage_update_decisions_identical"] = result.decisionsIdentical ? "yes" : "NO"
        if label != "1e6" {
            report.skip(Self.storageKeys("1e6"), "measured at \(s.regions) regions (--regions): see the _\(label) keys")
        }
    }

    // MARK: PyTorch on the same weights

    private mutating func measureTorch(_ random: ModelSet) throws {
        let torch = TorchBench(
            python: settings.torchPython, script: settings.torchScript, modelSet: random.directory, repeats: settings.repeats,
            images: settings.latencyImages)
        report.strings["torch_command"] = torch.command.joined(separator: " ")
        if let reason = torch.unavailable() {
            report.skip(Self.torchKeys, reason)
            return
        }
        Self.say("PyTorch: \(torch.command.joined(separator: " "))")
        // The comparison is a side figure: a script that fails leaves its keys null with the
        // reason, never the whole report (minutes of measurements) unprinted.
        let measured: (figures: [String: BenchFigure], strings: [String: String])
        do {
            measured = try torch.measure()
        } catch {
            report.skip(Self.torchKeys, "\(error)")
            return
        }
        for (key, figure) in measured.figures { report.set(key, figure) }
        for (key, text) in measured.strings { report.strings[key] = text }
    }
}
