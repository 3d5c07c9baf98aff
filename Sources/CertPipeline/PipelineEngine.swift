import CertCore
import CertData
import CertLedger
import CertScheduler
import CertShape
import CertSigma
import CertStore
import Certify
import Foundation
import TriggerKit

/// Everything a reload replaces at once: the model set, its certifier and sigma search, the
/// trigger plugins, and the store of that model set. Built fully before it is swapped in,
/// so a failed reload leaves the running engine untouched.
///
/// `@unchecked Sendable`: immutable after init (only `let`s); what it holds is thread-safe itself
/// or used from the batcher thread only (the certifier's schedulers serialise their own work).
public final class PipelineEngine: @unchecked Sendable {
    /// The configuration this engine was built from.
    public let config: DaemonConfig
    /// The loaded, checksum-verified model set.
    public let modelSet: ModelSet
    /// The certifier over the set's certifying models, with the config's bound, alpha, mode, sigma
    /// rule and target.
    public let certifier: Certifier
    /// The trigger plugins loaded for the set's input shape, and those refused.
    public let triggers: TriggerRegistry
    /// The store of this engine's certificate kind.
    public let store: CertStore
    /// Where that store lives: `<state_dir>/db/<first 16 hex digits of the kind digest>`.
    public let databaseDirectory: String
    /// The storage-update over `store`.
    public let ledger: RegionLedger
    /// The input shape uploads must have (CHW from the manifest).
    public let shape: ImageShape
    /// The loaded trigger plugins as the verdicts' `triggers` report them.
    public let perturbations: [Perturbation]
    /// Every loaded plugin's perturbation, reports on or off (the `triggers` target needs them).
    public let allPerturbations: [Perturbation]

    /// `previous` is the running engine on a reload: when the new one needs the same store it
    /// shares that open environment (LMDB must not open one environment twice in a process).
    public init(config: DaemonConfig, previous: PipelineEngine? = nil) throws {
        self.config = config
        modelSet = try ModelSet.load(directory: config.modelSet)
        let workers = config.effectiveWorkers
        if config.targetRadius != nil && config.bound != .betting {
            throw ConfigError(
                .option("target_radius"),
                "\(config.targetRadius!) needs bound = betting: only the betting bound stays valid when the models stop early")
        }
        var options = CertificationOptions(alpha: config.alpha, bound: config.bound, mode: config.mode)
        options.target = config.targetRadius
        certifier = Certifier(
            modelSet: modelSet, workers: workers, options: options, sigma: config.sigmaOptions(trigger: modelSet.manifest.trigger))
        let shape = modelSet.manifest.inputShape
        self.shape = shape
        triggers =
            config.pluginDir.isEmpty
            ? TriggerRegistry.loadDefault(shape: shape)
            : TriggerRegistry.load(directory: config.pluginDir, shape: shape)
        let delta = modelSet.manifest.delta, plugins = triggers.plugins
        allPerturbations = plugins.map { plugin in
            Perturbation(name: plugin.name) { plugin.applied(to: $0, shape: shape, delta: delta) }
        }
        perturbations = config.triggerReports ? allPerturbations : []
        databaseDirectory = config.databaseDirectory(kindDigest: CertStore.kindDigest(modelSetID: modelSet.id, kind: certifier.kind))
        if let previous, previous.databaseDirectory == databaseDirectory, previous.modelSet.id == modelSet.id {
            store = previous.store
            ledger = previous.ledger
        } else {
            store = try CertStore.open(directory: databaseDirectory, modelSetID: modelSet.id, kind: certifier.kind)
            ledger = try RegionLedger(modelSet: modelSet, store: store)
        }
    }
}
