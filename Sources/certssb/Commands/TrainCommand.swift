import ArgumentParser
import CertCore
import CertData
import CertTraining
import Foundation
import TriggerKit

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a smoothed ensemble on poisoned data and write a model set.",
        discussion: """
            Accepts the paper's flags (--dataset mnist --wm_shape onepixel --sigma 0.12 --N_m 1000) and kebab-case twins. \
            The output defaults to model/<dataset>/<trigger>/sigma<sigma0>/. An interrupted run resumes: finished models are kept \
            in <out>/.partial and not trained again.
            """)

    @Option(help: "mnist, fashion, cifar or imagenet (dogs vs cats).")
    var dataset: String = "mnist"

    @Option(
        name: [.customLong("wm_shape"), .customLong("wm-shape")],
        help: "Trigger plugin of the poison: onepixel, fourpixel, blending, or any loaded plugin.")
    var wmShape: String = "onepixel"

    @Option(name: .customLong("sigma"), help: "Training noise sigma0.")
    var sigma0: Double = 0.12

    @OptionGroup var sigma: SigmaArguments

    @Option(
        help:
            "Model set whose models give each training sample its own sigma (stage 1, METHOD.md §2.5); without it every sample uses sigma0."
    )
    var sigmaModelSet: String?

    @Option(
        help:
            "Stage 1 without --sigma-model-set: first train this many models at sigma0 (in <out>/.pilot, removed at the end) and search each training sample's sigma with them. 0: every sample uses sigma0."
    )
    var pilot = 0

    @Option(help: "LMDB store for the training samples' sigmas (read back on a rerun).")
    var sigmaStore: String?

    @Option(name: [.customLong("N_m"), .customLong("n-m")], help: "Number of models N_m.")
    var nModels: Int = 1000

    @Option(help: "A data file or the paper's data/ folder (default: see README).")
    var data: String?

    @Option(help: "Model-set directory to write.")
    var out: String?

    @Option(
        help:
            "Search models among the N_m: a seeded random sample that chooses each input's label and sigma and never certifies (manifest search_models). Default: N_m/8, at least 4, at most 16, at most half."
    )
    var searchModels: Int?

    @Option(help: "Epochs per model.")
    var epochs = 10

    @Option(help: "Mini-batch size.")
    var batchSize = 64

    @Option(help: "Adam learning rate.")
    var lr = 1e-3

    @Option(help: "Master seed: model m's seeds derive from (seed, m), and the poison choice from the seed.")
    var seed: UInt64 = 1

    @Option(help: "Models trained at once (one thread each). The weights do not depend on it.")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Poisoned fraction of the training set.")
    var poisonRate = 0.02

    @Option(help: "Trigger size delta.")
    var delta = 1.0

    @Option(help: "The attacker's target label.")
    var targetLabel = 0

    @Option(help: "Weights dtype: F32, or F16 for half-size files.")
    var dtype: String = "F32"

    @Option(help: "Folder of trigger plugins (default: beside the executable, then $CERTSSB_PLUGIN_DIR, then the installed location).")
    var pluginDir: String?

    func validate() throws {
        guard sigma0 > 0 else { throw ValidationError("--sigma must be positive") }
        guard nModels >= 1 else { throw ValidationError("--N_m must be at least 1") }
        guard epochs >= 1, batchSize >= 1, lr > 0, workers >= 1 else {
            throw ValidationError("--epochs, --batch-size, --lr and --workers must be positive")
        }
        guard Safetensors.DType(rawValue: dtype.uppercased()) != nil else { throw ValidationError("--dtype must be F32 or F16") }
        guard pilot >= 0 else { throw ValidationError("--pilot must be 0 or more") }
        if pilot > 0 && sigmaModelSet != nil {
            throw ValidationError("--pilot and --sigma-model-set both choose stage 1's models: give one")
        }
    }

    func run() throws {
        let run = try TrainingRun(command: self)
        try run.execute()
    }
}
