import CertCore
import CertScheduler
import Foundation

/// Trains N_m models across a worker pool, each model on one worker, writing each finished
/// model to `<out>/.partial/` at once. A rerun with the same recipe and data skips the models
/// already there, so an interrupted run resumes without redoing them.
public final class EnsembleTrainer {
    /// What is known about one trained model; stored as `.partial/model_NNNN.json` and copied into
    /// the manifest.
    public struct ModelRecord: Codable, Sendable, Equatable {
        /// The model's index m in the set.
        public var index: Int
        /// Its safetensors file name, `model_NNNN.safetensors`.
        public var file: String
        /// SHA-256 of that file; the test-noise seed is derived from it.
        public var sha256: String
        /// Seed of the weight initialisation (`ModelSeeds.initialization`).
        public var initializationSeed: UInt64
        /// Seed of the training noise b_{m,i} (`ModelSeeds.noise`); not the test noise seed.
        public var noiseSeed: UInt64
        /// Seed of the per-epoch shuffles (`ModelSeeds.shuffle`).
        public var shuffleSeed: UInt64
        /// Loss of the last mini-batch.
        public var finalLoss: Double
        /// Accuracy on the noisy training inputs during the last epoch, in [0, 1].
        public var trainAccuracy: Double
        /// Wall-clock training time in seconds (0 for a model found already finished).
        public var seconds: Double
    }

    /// A progress report, passed to `run`'s callback after each model.
    public struct Progress: Sendable {
        /// Models finished (resumed included), models in all, and how many were found already
        /// trained.
        public var done: Int, total: Int, resumed: Int
        /// Seconds since this run started.
        public var elapsed: Double
        /// The model just finished; nil in the first report.
        public var last: ModelRecord?
    }

    /// What a partial folder was made from; a rerun must match it to resume.
    struct Fingerprint: Codable, Equatable {
        var recipe: TrainingRecipe
        var data: String
        var dtype: String
    }

    /// The model set's output folder; `.partial/` lives inside it.
    public let directory: String
    let data: TrainingSet
    let recipe: TrainingRecipe
    let architecture: Architecture
    let models: Int
    let workers: Int
    let dtype: Safetensors.DType

    /// `dtype` F16 halves the files (the shipped sets); the noise seed then derives from the
    /// F16 file, the weights the engine actually runs.
    public init(
        directory: String, data: TrainingSet, recipe: TrainingRecipe, architecture: Architecture, models: Int,
        workers: Int, dtype: Safetensors.DType = .f32
    ) {
        self.directory = directory; self.data = data; self.recipe = recipe
        self.architecture = architecture; self.models = models; self.workers = max(1, workers); self.dtype = dtype
    }

    var partial: String { (directory as NSString).appendingPathComponent(".partial") }

    static func fileName(_ m: Int) -> String { String(format: "model_%04d.safetensors", m) }

    /// SHA-256 of everything the models see, so a resume cannot mix data sets.
    public static func fingerprint(_ d: TrainingSet) -> String {
        var bytes = Data()
        d.pixels.withUnsafeBytes { bytes.append(contentsOf: $0) }
        d.labels.map { Int64($0) }.withUnsafeBytes { bytes.append(contentsOf: $0) }
        d.sigmas.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return Checksum.sha256Hex(bytes)
    }

    /// Runs (or resumes) training; returns one record per model, in model order.
    public func run(progress: @escaping (Progress) -> Void = { _ in }) throws -> [ModelRecord] {
        let fm = FileManager.default
        try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)
        let fingerprintPath = (partial as NSString).appendingPathComponent("training.json")
        let current = Fingerprint(recipe: recipe, data: Self.fingerprint(data), dtype: dtype.rawValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let existing = fm.contents(atPath: fingerprintPath) {
            guard let old = try? JSONDecoder().decode(Fingerprint.self, from: existing), old == current else {
                throw TrainingError("\(partial) holds models of another recipe or data set; remove it or choose another --out")
            }
        } else {
            try encoder.encode(current).write(to: URL(fileURLWithPath: fingerprintPath), options: .atomic)
        }

        var records = [ModelRecord?](repeating: nil, count: models)
        let finished = finishedModels()
        for m in 0..<models { records[m] = loadRecord(m) ?? finished[m] }
        let todo = (0..<models).filter { records[$0] == nil }
        let resumed = models - todo.count
        let lock = NSLock()
        var next = 0, done = resumed
        var failure: Error?
        let started = Date()
        progress(Progress(done: done, total: models, resumed: resumed, elapsed: 0, last: nil))
        BLAS.useSingleThread()
        let pool = WorkerPool(workers: min(workers, max(todo.count, 1)), name: "certssb-train")
        pool.run { [self] _ in
            while true {
                lock.lock()
                guard next < todo.count, failure == nil else { lock.unlock(); return }
                let m = todo[next]
                next += 1
                lock.unlock()
                let t0 = Date()
                guard let result = ModelTrainer.train(model: m, data: data, recipe: recipe, architecture: architecture) else { return }
                do {
                    let record = try save(result, model: m, seconds: Date().timeIntervalSince(t0))
                    lock.lock()
                    records[m] = record
                    done += 1
                    let snapshot = Progress(
                        done: done, total: models, resumed: resumed, elapsed: Date().timeIntervalSince(started), last: record)
                    progress(snapshot)
                    lock.unlock()
                } catch {
                    lock.lock(); failure = error; lock.unlock()
                }
            }
        }
        if let failure { throw failure }
        return records.map { $0! }
    }

    private func save(_ result: ModelTrainer.Result, model m: Int, seconds: Double) throws -> ModelRecord {
        let bytes = try Safetensors.encode(result.tensors, dtype: dtype)
        let file = Self.fileName(m)
        try bytes.write(to: URL(fileURLWithPath: (partial as NSString).appendingPathComponent(file)), options: .atomic)
        let record = ModelRecord(
            index: m, file: file, sha256: Checksum.sha256Hex(bytes),
            initializationSeed: result.seeds.initialization, noiseSeed: result.seeds.noise,
            shuffleSeed: result.seeds.shuffle, finalLoss: result.finalLoss,
            trainAccuracy: result.trainAccuracy, seconds: seconds)
        // The record is written last: its presence means the weights file is complete.
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: recordPath(m)), options: .atomic)
        return record
    }

    private func recordPath(_ m: Int) -> String {
        (partial as NSString).appendingPathComponent(String(format: "model_%04d.json", m))
    }

    /// A finished model from an earlier run, if its record and weights agree.
    private func loadRecord(_ m: Int) -> ModelRecord? {
        guard let json = FileManager.default.contents(atPath: recordPath(m)),
            let record = try? JSONDecoder().decode(ModelRecord.self, from: json),
            let weights = FileManager.default.contents(atPath: (partial as NSString).appendingPathComponent(record.file)),
            Checksum.sha256Hex(weights) == record.sha256
        else { return nil }
        return record
    }

    /// Models of a finished set already in `directory` whose manifest was made with this
    /// recipe, data and dtype and whose files still match: a larger N_m grows the set
    /// instead of retraining it.
    private func finishedModels() -> [Int: ModelRecord] {
        let manifestPath = (directory as NSString).appendingPathComponent("manifest.json")
        guard let bytes = FileManager.default.contents(atPath: manifestPath),
            let manifest = try? ModelSetManifest.decode(bytes), manifest.weightsDtype == dtype.rawValue,
            case let .object(training)? = manifest.training, case let .string(data)? = training["training_data_sha256"],
            data == Self.fingerprint(self.data), let recipeJSON = training["recipe"],
            let stored = try? JSONDecoder().decode(TrainingRecipe.self, from: JSONEncoder().encode(recipeJSON)), stored == recipe
        else { return [:] }
        var found: [Int: ModelRecord] = [:]
        for m in manifest.models where m.index < models {
            let path = (directory as NSString).appendingPathComponent(m.file)
            guard let weights = FileManager.default.contents(atPath: path), Checksum.sha256Hex(weights) == m.sha256,
                case let .object(source)? = m.source
            else { continue }
            func number(_ key: String) -> Double { if case let .number(v)? = source[key] { return v }; return .nan }
            func seed(_ key: String) -> UInt64 { if case let .string(v)? = source[key] { return UInt64(v) ?? 0 }; return 0 }
            found[m.index] = ModelRecord(
                index: m.index, file: m.file, sha256: m.sha256,
                initializationSeed: seed("initialization_seed"), noiseSeed: seed("training_noise_seed"),
                shuffleSeed: seed("shuffle_seed"), finalLoss: number("final_loss"),
                trainAccuracy: number("train_accuracy"), seconds: 0)
        }
        return found
    }

    /// Moves the newly trained weights next to the manifest and removes the partial folder.
    public func finish(_ records: [ModelRecord]) throws {
        let fm = FileManager.default
        for r in records {
            let source = (partial as NSString).appendingPathComponent(r.file)
            guard fm.fileExists(atPath: source) else { continue }  // a model of the finished set, already in place
            let target = (directory as NSString).appendingPathComponent(r.file)
            try? fm.removeItem(atPath: target)
            try fm.moveItem(atPath: source, toPath: target)
        }
        try fm.removeItem(atPath: partial)
    }
}

/// A training failure to show the user, one line (a foreign `.partial/`, a data set that cannot be
/// used).
public struct TrainingError: Error, CustomStringConvertible {
    /// The message.
    public var description: String
    /// An error with `description` as its message.
    public init(_ description: String) { self.description = description }
}
