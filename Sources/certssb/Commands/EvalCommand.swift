import ArgumentParser
import CertMath
import Certify
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract:
            "Reproduce the paper's table: RAB (sigma0) and Cert-SSB (sample-specific sigma + storage-update) on the same models and data.",
        discussion: """
            Accepts the paper's flags (--dataset mnist --wm_shape onepixel --sigma 0.12 --N_m 1000) and kebab-case twins. \
            The model set defaults to model/<dataset>/<wm_shape>/sigma<sigma>/ (the first N_m of its models). Benign inputs are the \
            test split with true labels; watermarked inputs are every test input with the trigger, a hit when certified as the \
            target label. Cert-SSB processes benign then watermarked inputs in test order through the storage-update store.
            """)

    @Option(help: "mnist, fashion, cifar or imagenet.")
    var dataset = "mnist"

    @Option(name: [.customLong("wm_shape"), .customLong("wm-shape")], help: "Trigger of the watermarked set.")
    var wmShape = "onepixel"

    @Option(help: "sigma0 (selects the default model set).")
    var sigma = 0.12

    @Option(
        name: [.customLong("N_m"), .customLong("n-m")],
        help: "Use the first N_m models of the set (more than it has: all of them, with a warning).")
    var nModels: Int?

    @Option(help: "Model-set directory (overrides --dataset/--wm_shape/--sigma for the models).")
    var modelSet: String?

    @Option(help: "A data file or the paper's data/ folder.")
    var data: String?

    @Option(help: "LMDB store for sigmas and regions: a rerun reads them back instead of recomputing.")
    var store: String?

    @Option(help: "Evaluate only the first N test inputs.")
    var limit: Int?

    @Option(help: "Trigger size delta of the watermarked set.")
    var delta = 1.0

    @Option(help: "Worker threads.")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var certificate: CertificateOptions
    @OptionGroup var sigmaSearch: SigmaArguments

    @Flag(help: "Also report RAB's metric: non-target triggered inputs certified with their true labels.")
    var rabMetric = false

    @Option(help: "Write both tables and every record as JSON.")
    var json: String?

    @Option(help: "Write both tables as CSV.")
    var csv: String?

    @Option(help: "Plot certified accuracy against radius as step curves, RAB and Cert-SSB, benign and watermarked (.svg or .png).")
    var plot: String?

    @Option(help: "Folder of trigger plugins.")
    var pluginDir: String?

    func validate() throws {
        if let n = nModels, n < 1 { throw ValidationError("--N_m must be at least 1") }
        if let l = limit, l < 1 { throw ValidationError("--limit must be at least 1") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        if let plot, !(plot.hasSuffix(".svg") || plot.hasSuffix(".png")) { throw ValidationError("--plot must end in .svg or .png") }
    }

    func run() throws {
        try EvaluationRun(command: self).execute()
    }
}
