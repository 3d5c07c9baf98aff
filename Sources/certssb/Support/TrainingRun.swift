import CertCore
import CertData
import CertScheduler
import CertTraining
import Certify
import Foundation
import TriggerKit

/// Wiring of `certssb train`: data → task → poison → ensemble training → manifest → accuracy.
struct TrainingRun {
    let command: TrainCommand
    let architecture: Architecture
    let train: LabeledDataset
    let test: LabeledDataset
    let trigger: TriggerPlugin
    let out: String

    init(command c: TrainCommand) throws {
        command = c
        let shared = ProcessInfo.processInfo.environment["CERTSSB_SHARED"] ?? "../shared"
        let splits: (train: LabeledDataset, test: LabeledDataset)
        do {
            splits = try DatasetLocator.load(
                dataset: c.dataset, data: c.data,
                sharedDirectory: FileManager.default.fileExists(atPath: shared) ? shared : nil)
        } catch { throw CLIFailure(error) }
        let task: BinaryTask
        do { task = try BinaryTask.paper(dataset: c.dataset, classes: splits.train.classes) } catch { throw CLIFailure(error) }
        train = task.apply(splits.train)
        test = task.apply(splits.test)
        let shape = train.shape
        guard let arch = Architecture.allCases.first(where: { $0.inputShape == shape }) else {
            throw CLIFailure("no architecture takes \(shape) images")
        }
        architecture = arch
        let registry = c.pluginDir.map { TriggerRegistry.load(directory: $0) } ?? TriggerRegistry.loadDefault()
        guard let plugin = registry[c.wmShape] else {
            let known = registry.plugins.map(\.name).joined(separator: ", ")
            throw CLIFailure(
                "unknown --wm_shape '\(c.wmShape)' (loaded: \(known.isEmpty ? "none" : known)\(registry.refusals.isEmpty ? "" : "; refused: \(registry.refusals.count)"))"
            )
        }
        trigger = plugin
        out = c.out ?? "model/\(c.dataset)/\(c.wmShape)/sigma\(c.sigma0)"
    }

    /// The training split as the models see it: poisoned by the attacker (METHOD.md §2.1).
    func poisonedTrainingSet() throws -> (LabeledDataset, PoisoningPlan) {
        let c = command, shape = train.shape
        do {
            return try Poisoner.poison(
                train, rate: c.poisonRate, targetLabel: c.targetLabel, seed: c.seed,
                trigger: trigger.name, delta: c.delta
            ) { pixels in
                try trigger.apply(to: &pixels, shape: shape, delta: c.delta)
            }
        } catch { throw CLIFailure(error) }
    }

    func execute() throws {
        let c = command
        let (poisoned, plan) = try poisonedTrainingSet()
        // Stage 1 (METHOD.md §2.5): each training sample's own sigma, searched with a given model
        // set, or with a pilot ensemble trained here at sigma0 (removed once the set is written).
        let pilot = (out as NSString).appendingPathComponent(".pilot")
        let fixed = SampleSigmas.fixed(count: poisoned.count, sigma0: c.sigma0)
        var sigmaSet = c.sigmaModelSet
        if sigmaSet == nil && c.pilot > 0 {
            _ = try trainEnsemble(poisoned, plan, sigmas: fixed, models: c.pilot, at: pilot, stage: "stage 1, pilot")
            sigmaSet = pilot
        }
        let sigmas = try SampleSigmas.compute(
            for: poisoned, options: c.sigma, modelSetDirectory: sigmaSet,
            storeDirectory: c.sigmaStore, sigma0: c.sigma0, workers: c.workers,
            progress: "train: stage 1 sigmas")
        // Stage 2: N_m models on x_i + sigma_i * b_{m,i}.
        let records = try trainEnsemble(poisoned, plan, sigmas: sigmas, models: c.nModels, at: out, stage: nil)
        let accuracy = try measureAccuracy()
        try writeManifest(poisoned, plan, sigmas: sigmas, models: c.nModels, at: out, records: records, accuracy: accuracy)
        if c.sigmaModelSet == nil && c.pilot > 0 { try? FileManager.default.removeItem(atPath: pilot) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        logLine("wrote \(out)/manifest.json; accuracy " + String(decoding: try encoder.encode(accuracy), as: UTF8.self))
    }

    private var recipe: TrainingRecipe {
        let c = command
        return TrainingRecipe(
            architecture: architecture.rawValue, epochs: c.epochs, batchSize: c.batchSize,
            learningRate: c.lr, seed: c.seed, loss: architecture.outputs == 1 ? "bce-with-logits" : "softmax-cross-entropy")
    }

    private var dtype: Safetensors.DType { Safetensors.DType(rawValue: command.dtype.uppercased())! }

    private func trainingSet(_ poisoned: LabeledDataset, sigmas: SampleSigmas.Result) -> TrainingSet {
        let shape = poisoned.shape
        return TrainingSet(
            shape: [shape.channels, shape.height, shape.width], pixels: poisoned.pixels, labels: poisoned.labels,
            sigmas: sigmas.values.map(Float.init), classes: poisoned.classes.count)
    }

    /// Trains `models` models into `directory` (resuming from its .partial) and writes a manifest
    /// without accuracy, so the set is usable (as the pilot) before it is measured.
    private func trainEnsemble(
        _ poisoned: LabeledDataset, _ plan: PoisoningPlan, sigmas: SampleSigmas.Result, models: Int,
        at directory: String, stage: String?
    ) throws -> [EnsembleTrainer.ModelRecord] {
        let c = command
        let trainer = EnsembleTrainer(
            directory: directory, data: trainingSet(poisoned, sigmas: sigmas), recipe: recipe,
            architecture: architecture, models: models, workers: c.workers, dtype: dtype)
        let header =
            (stage.map { "\($0): " } ?? "")
            + "training \(models) \(architecture.rawValue) models on \(poisoned.count) images (\(plan.indices.count) poisoned with \(trigger.name), delta \(c.delta)), sigma0 \(c.sigma0), \(c.workers) worker(s) → \(directory)"
        let bar = ProgressReporter(total: models, header: header)
        let records: [EnsembleTrainer.ModelRecord]
        do { records = try trainer.run(progress: bar.update) } catch { throw CLIFailure(error) }
        bar.finish()
        try trainer.finish(records)
        try writeManifest(poisoned, plan, sigmas: sigmas, models: models, at: directory, records: records)
        return records
    }

    private func writeManifest(
        _ poisoned: LabeledDataset, _ plan: PoisoningPlan, sigmas: SampleSigmas.Result, models: Int, at directory: String,
        records: [EnsembleTrainer.ModelRecord], accuracy: JSONValue? = nil
    ) throws {
        let c = command
        var description = ModelSetAssembler.Description(
            name: "\(c.dataset)-\(trigger.name)-sigma\(c.sigma0)-n\(models)", architecture: architecture, classes: train.classes,
            targetLabel: c.targetLabel, sigma0: c.sigma0, trigger: trigger.name, delta: c.delta, poisonRate: c.poisonRate, dtype: dtype,
            provenance: [
                "dataset": .string(c.dataset), "data": .string(c.data ?? "default (see README: Datasets)"),
                "task": .string("\(train.classes[0]) (label 0) vs \(train.classes[1]) (label 1)"),
                "training_data_sha256": .string(EnsembleTrainer.fingerprint(trainingSet(poisoned, sigmas: sigmas))),
                "sample_sigmas": sigmas.summary,
                "train_images": .number(Double(train.count)), "test_images": .number(Double(test.count)),
                "poisoning": .object([
                    "seed": .string(String(plan.seed)), "rate": .number(plan.rate), "target_label": .number(Double(plan.targetLabel)),
                    "trigger": .string(plan.trigger), "trigger_version": .string(trigger.version), "delta": .number(plan.delta),
                    "indices": .array(plan.indices.map { .number(Double($0)) }),
                ]),
            ])
        let searchCount = min(c.searchModels ?? ModelSet.defaultSearchCount(models: models), max(models - 1, 0))
        // A seeded random sample (the first models of a run need not be typical).
        description.searchModels =
            searchCount > 0 ? ModelSet.sampleIndices(searchCount, of: models, seed: c.seed ^ 0x5EA2_C4ED_0DE1_5EED) : nil
        description.provenance["search_models_rule"] = .string(
            "ModelSet.sampleIndices(\(searchCount), of: \(models), seed: seed ^ 0x5EA2C4ED0DE15EED)")
        _ = try ModelSetAssembler.write(
            directory: directory, description: description, recipe: recipe, records: records, accuracy: accuracy)
    }

    /// Clean accuracy on the held-out split: the smoothed ensemble (with its test noise),
    /// each model without noise, and how often the trigger flips a non-target test input.
    private func measureAccuracy() throws -> JSONValue {
        let set: ModelSet
        do { set = try ModelSet.load(directory: out) } catch { throw CLIFailure(error) }
        let certifier = Certifier(modelSet: set, workers: command.workers)
        // Per-model accuracy covers every model, search models included.
        let everyModel = NoiseBatchScheduler(ensemble: Ensemble(modelSet: set), workers: command.workers)
        let requests = (0..<test.count).map { CertificationRequest(pixels: Array(test.image($0)), sha256: "", source: "test") }
        var correct = 0, certified = 0
        var perModel = [Int](repeating: 0, count: set.count)
        for start in stride(from: 0, to: requests.count, by: 256) {
            let chunk = Array(requests[start..<min(start + 256, requests.count)])
            for (k, v) in try certifier.certifyAll(chunk).enumerated() {
                if v.label == test.labels[start + k] { correct += 1; if v.certified { certified += 1 } }
            }
            let ensemble = everyModel.ensemble
            for (k, row) in everyModel.logits(images: chunk.map { ensemble.prepare($0.pixels) }, scales: chunk.map { _ in 0 }).enumerated()
            {
                for m in 0..<set.count where (row[m] > 0 ? 1 : 0) == test.labels[start + k] { perModel[m] += 1 }
            }
        }
        let shape = test.shape
        let victims = (0..<test.count).filter { test.labels[$0] != command.targetLabel }
        var flipped = 0
        for start in stride(from: 0, to: victims.count, by: 256) {
            let chunk = try victims[start..<min(start + 256, victims.count)].map { i -> CertificationRequest in
                var pixels = Array(test.image(i))
                try trigger.apply(to: &pixels, shape: shape, delta: command.delta)
                return CertificationRequest(pixels: pixels, sha256: "", source: "triggered")
            }
            flipped += try certifier.certifyAll(chunk).filter { $0.label == command.targetLabel }.count
        }
        let n = Double(max(test.count, 1))
        return .object([
            "split": .string("test"), "images": .number(Double(test.count)),
            "smoothed_clean_accuracy": .number(Double(correct) / n),
            "smoothed_certified_correct": .number(Double(certified) / n),
            "model_clean_accuracy_mean": .number(Double(perModel.reduce(0, +)) / n / Double(set.count)),
            "model_clean_accuracy_min": .number(Double(perModel.min() ?? 0) / n),
            "backdoor_success_rate": .number(victims.isEmpty ? 0 : Double(flipped) / Double(victims.count)),
            "note": .string(
                "smoothed = majority of the ensemble with each model's test noise at sigma0 (sound mode); backdoor success = non-target test inputs with the trigger classified as the target"
            ),
        ])
    }
}

func logLine(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
