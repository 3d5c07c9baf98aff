import CertMath
import CertSigma
import Certify
import Foundation

/// Everything `certssbd.conf` can set (CONTRACTS.md §4). Property defaults are the shipped defaults;
/// `etc/certssbd.conf` documents the same values and a test keeps the two in step.
public struct DaemonConfig: Sendable, Equatable {
    /// Threshold of the daemon's log; the names are journald's (syslog) priorities.
    public enum LogLevel: String, Sendable, CaseIterable {
        /// One syslog priority; a threshold passes it and every more severe one.
        case debug, info, notice, warning, error
    }

    /// Model-set directory the daemon certifies with.
    public var modelSet = "/usr/share/certssb/model/mnist/onepixel/sigma1.25"
    /// Trigger-plugin directory; "" keeps TriggerKit's search rule (beside the binary, $CERTSSB_PLUGIN_DIR, …).
    public var pluginDir = ""
    /// Daemon state; each certificate kind's LMDB environment lives in `<stateDir>/db/<digest>`.
    public var stateDir = "/var/lib/certssbd"
    /// Watch folder; "" disables it.
    public var watchDir = "/var/lib/certssbd/inbox"
    /// Unix socket path, used when systemd hands no socket over (self-bind fallback).
    public var socket = "/run/certssbd/certssbd.sock"
    /// Permission bits of a self-bound socket.
    public var socketMode: UInt32 = 0o660
    /// Worker threads; 0 means one per core.
    public var workers = 0
    /// How long the first image of a micro-batch waits for company.
    public var batchWindowMs = 20
    /// Most images in one micro-batch.
    public var maxBatch = 64
    /// How each image's sigma is chosen (`search`, `fixed`, `gradient`, `released`).
    public var sigmaRule: SigmaRule = .search
    /// Steps of the gradient rule (the released rule has its own counts).
    public var sigmaSteps = 60
    /// Noise draws per search model and sigma, or per gradient step; 0: the rule's own (search 1,
    /// grid 2, gradient 8).
    public var sigmaDraws = 0
    /// A verdict's total failure probability, in (0, 1).
    public var alpha = 0.001
    /// The confidence bound (Clopper–Pearson by default).
    public var bound: BoundKind = CertificationOptions.defaultBound
    /// Early stopping (needs `bound = betting`); nil runs every certifying model.
    public var targetRadius: TargetRadius?
    /// `sound`, or `released` to reproduce the authors' numbers.
    public var mode: CertificationMode = .sound
    /// Each verdict's `triggers`: one more ensemble pass per plugin and image.
    public var triggerReports = true
    /// Largest accepted upload (413 above it).
    public var maxUploadBytes = 16 << 20
    /// Largest accepted decoded image in values, channels × height × width (a decompression-bomb
    /// guard): a header claiming more is refused (422) before any pixel memory is allocated.
    /// Capped at `ImageLimits.maximumValues` (50,000,000) whatever the config says.
    public var maxPixels = 50_000_000
    /// Which clients may use the socket (`allow_uids`, `allow_gids`; open by default).
    public var access = AccessPolicy()
    /// Pending images before the socket answers 429/503.
    public var maxQueue = 1024
    /// A client that sends nothing for this long is dropped.
    public var readTimeoutMs = 30_000
    /// A request must arrive whole (head and body) within this time of its first byte.
    public var requestTimeoutMs = 120_000
    /// Lowest journal priority logged.
    public var logLevel: LogLevel = .info

    /// The shipped defaults.
    public init() {}

    /// The LMDB environment of one certificate kind: `<state_dir>/db/<first 16 hex digits of
    /// CertStore.kindDigest>` (model set, mode, bound, alpha, sigma options). A store holds the
    /// verdicts of one kind (METHOD.md §2.7), so a reload onto another set or bound opens its own
    /// store, and switching back finds the old verdicts again.
    public func databaseDirectory(kindDigest: String) -> String {
        (stateDir.hasSuffix("/") ? stateDir + "db/" : stateDir + "/db/") + kindDigest.prefix(16)
    }

    /// `workers` with 0 resolved to the number of active cores.
    public var effectiveWorkers: Int { workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

extension DaemonConfig {
    /// The sigma search the config asks for (`sigma_rule`, `sigma_steps`, `sigma_draws`).
    public func sigmaOptions(trigger: String) -> SigmaOptions {
        var sigma: SigmaOptions
        switch sigmaRule {
        case .released: sigma = .released(trigger: trigger)
        case .gradient: sigma = .gradient; sigma.steps = sigmaSteps
        case .search: sigma = SigmaOptions()
        case .grid: sigma = .grid
        case .fixed: sigma = .fixedRule
        }
        if sigmaDraws > 0, sigmaRule == .search || sigmaRule == .grid || sigmaRule == .gradient { sigma.draws = sigmaDraws }
        return sigma
    }
}

extension DaemonConfig {
    /// Keys a reload cannot apply: the socket and the watch folder are opened once, the
    /// HTTP limits belong to the running server, and the logger is shared by every thread.
    /// Every other key (model set, plugins, state, sigma, bound, alpha, mode, batching,
    /// workers, trigger reports, queue) takes effect at the reload.
    public static let restartOnlyKeys = [
        "socket", "socket_mode", "watch_dir", "max_upload_bytes", "read_timeout_ms", "request_timeout_ms",
        "log_level",
        "allow_uids", "allow_gids",
    ]

    /// The restart-only keys whose value differs in `fresh`.
    public func keysNeedingRestart(toApply fresh: DaemonConfig) -> [String] {
        ConfigKey.all.filter { Self.restartOnlyKeys.contains($0.name) && $0.render(self) != $0.render(fresh) }.map(\.name)
    }
}

extension DaemonConfig {
    /// Every key with its effective value, as certssbd.conf would spell it, in the order the
    /// shipped file documents them. (No key holds a secret today; one that does must be left
    /// out here.)
    public var effectiveValues: [(key: String, value: String)] {
        ConfigKey.all.map { ($0.name, $0.render(self)) }
    }
}
