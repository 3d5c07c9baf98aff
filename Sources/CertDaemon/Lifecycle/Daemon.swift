import CertCore
import CertPipeline
import CertSystem
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// certssbd's lifecycle: load (models, plugins, store) → bind the socket → READY=1 → run the
/// services (DaemonServices.swift) in one ServiceGroup; SIGHUP reloads (RELOADING=1 … READY=1;
/// a failed reload keeps the old state); SIGTERM starts the group's graceful shutdown
/// (STOPPING=1: watch, socket, then the pipeline drains) and `run` returns.
///
/// `@unchecked Sendable`: everything but `config` is a `let` of a thread-safe type. `config` is
/// read and written only under `reloading`; `run` takes one snapshot of it at the start, so a
/// POST /v1/reload during setup cannot race with the reads of the restart-only keys (socket,
/// watch folder, upload cap, read timeout).
public final class Daemon: @unchecked Sendable {
    let configPath: String?
    let overrides: [String: String]
    let log: JournalLogger
    private(set) var config: DaemonConfig
    let pipeline: CertificationPipeline
    /// Each service's explicit state, for /v1/health.
    let states = ServiceStates()
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let reloading = NSLock()
    /// What /v1/health and STATUS= report besides the pipeline's state.
    let health = HealthState()
    /// Beaten by a repeated task on the event loop.
    let eventLoopHeartbeat = Heartbeat(name: "event loop")

    /// Loads the config file (or the defaults) with `overrides`, then the pipeline's engine: model
    /// set, plugins, store. Throws `ConfigError`, `ModelSetError` or the store's errors, and
    /// nothing is running yet.
    public init(configPath: String?, overrides: [String: String]) throws {
        self.configPath = configPath
        self.overrides = overrides
        config = try Self.loadConfig(configPath, overrides)
        log = JournalLogger(threshold: config.logThreshold)
        stateLock = try Self.lockState(config.stateDir)
        pipeline = try CertificationPipeline(config: config)
    }

    /// Held for the daemon's life: two certssbd on one state directory would each keep their own
    /// region index and break the storage-update's invariant, so the second one refuses to start.
    private let stateLock: FileLock

    static func lockState(_ dir: String) throws -> FileLock {
        try? WatchPaths.makeDirectories(dir, syscalls: LinuxSyscalls())
        let path = (dir as NSString).appendingPathComponent("certssbd.lock")
        do { return try FileLock(path: path) } catch let error as SystemError where error.errno == EWOULDBLOCK {
            throw ConfigError(.option("state_dir"), "\(dir) is in use by another certssbd (\(path) is locked)")
        }
    }

    /// `certssbd --check-config`: parses the file and `overrides`, validates every value, loads
    /// the model set's manifest and checks its weights' checksums, and returns the effective
    /// configuration as certssbd.conf text. Throws what `init` would (`ConfigError` with the
    /// line, `ModelSetError`); starts nothing and opens no store.
    public static func checkConfiguration(configPath: String?, overrides: [String: String]) throws -> String {
        let config = try loadConfig(configPath, overrides)
        _ = try ModelSet.load(directory: config.modelSet)
        return config.rendered
    }

    /// `certssbd --check-store`: replays the storage-update from the configured store's verdicts
    /// in arrival order and compares every region and verdict (`RegionLedger.replayStoredVerdicts`).
    /// Run it with the daemon stopped (one certssbd per state directory). Returns the report's
    /// text and whether the store is consistent.
    public static func checkStore(configPath: String?, overrides: [String: String]) throws -> (report: String, consistent: Bool) {
        let config = try loadConfig(configPath, overrides)
        let engine = try PipelineEngine(config: config)
        defer { engine.store.close() }
        let report = try engine.ledger.replayStoredVerdicts(dimension: engine.shape.count)
        var lines = [
            "store \(engine.databaseDirectory): \(report.regions) regions, \(report.arrivals) arrivals, \(report.mismatches.count) mismatches"
        ]
        lines += report.mismatches
        lines.append(report.consistent ? "consistent: every region and verdict follows from the replay" : "INCONSISTENT")
        return (lines.joined(separator: "\n") + "\n", report.consistent)
    }

    static func loadConfig(_ path: String?, _ overrides: [String: String]) throws -> DaemonConfig {
        let base = try path.map { try ConfigParser.load(path: $0) } ?? DaemonConfig()
        return try base.applying(overrides: overrides)
    }

    /// Runs until SIGTERM/SIGINT; returns after the drain. Loads happened in `init`; here the
    /// socket is bound (or adopted), READY=1 is sent, and the four services run in one
    /// ServiceGroup: status, pipeline, socket, watch (shut down in reverse order).
    public func run() async throws {
        let startup = reloading.withLock { config }
        pipeline.start()
        let service = DaemonService(pipeline: pipeline, health: health, states: states) { [weak self] in try self?.reload() ?? [] }
        let limits = HTTPServer.Limits(
            maxUploadBytes: startup.maxUploadBytes, readTimeout: .milliseconds(Int64(startup.readTimeoutMs)),
            requestTimeout: .milliseconds(Int64(startup.requestTimeoutMs)),
            maxConnections: 256, access: startup.access)
        let server = HTTPServer(service: service, limits: limits, group: group)
        if let fd = SocketActivation.listeningSockets().first {
            try await server.adopt(fd: fd)
            log.log(.info, "serving on the socket systemd passed (fd \(fd))")
        } else {
            try await server.bind(path: startup.socket, mode: mode_t(startup.socketMode))
            log.log(.info, "serving on \(startup.socket)")
        }
        let beat = eventLoopHeartbeat
        _ = group.next().scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) { _ in beat.beat() }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: statusService(), serviceName: "status"),
            .init(service: PipelineService(pipeline: pipeline, states: states), serviceName: "pipeline"),
            .init(service: SocketService(server: server, states: states), serviceName: "socket"),
        ]
        if !startup.watchDir.isEmpty {
            services.append(.init(service: watchService(startup.watchDir, maxBytes: startup.maxUploadBytes), serviceName: "watch"))
        }
        var logger = Logger(label: "certssbd") { _ in JournalLogHandler(journal: self.log) }
        logger.logLevel = .notice
        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        installSignals(serviceGroup)
        logPlugins()
        _ = SystemdNotifier.ready(status: statusLine())
        log.log(
            .notice,
            "certssbd ready: model set \(pipeline.currentEngine.modelSet.directory) (\(pipeline.currentEngine.modelSet.count) models)")
        try await serviceGroup.run()
        try? await group.shutdownGracefully()
        log.log(.notice, "stopped")
    }

    func statusLine() -> String {
        let c = pipeline.counters.snapshot
        let rate = c.busySeconds > 0 ? Double(c.verdicts) / c.busySeconds : 0
        let problems = health.problems
        return String(
            format: "queue %d, %d verdicts (%d certified), %.1f images/s while busy", pipeline.queueDepth, c.verdicts, c.certified, rate)
            + (problems.isEmpty ? "" : "; degraded: " + problems.joined(separator: "; "))
    }

    /// Re-reads the config, models and plugins; the old engine serves until the new one is built.
    /// Returns the changed keys that only a restart applies (also logged as a warning).
    @discardableResult
    func reload() throws -> [String] {
        // SIGHUP and POST /v1/reload may come together: one reload at a time.
        reloading.lock()
        defer { reloading.unlock() }
        _ = SystemdNotifier.reloading()
        defer { SystemdNotifier.ready(status: statusLine()) }
        do {
            let fresh = try Self.loadConfig(configPath, overrides)
            try pipeline.reload(fresh)
            let restart = config.keysNeedingRestart(toApply: fresh)
            config = fresh
            log.log(.notice, "reloaded: model set \(pipeline.currentEngine.modelSet.directory)")
            if !restart.isEmpty {
                log.log(
                    .warning,
                    "reload: \(restart.joined(separator: ", ")) changed but take effect only at a restart (systemctl restart certssbd)")
            }
            logPlugins()
            return restart
        } catch {
            log.log(.err, "reload failed, keeping the running state: \(error)")
            throw error
        }
    }

    /// A plugin that did not load is worth a warning: verdicts then lack its trigger report.
    private func logPlugins() {
        let triggers = pipeline.currentEngine.triggers
        for refusal in triggers.refusals {
            log.log(.warning, "trigger plugin refused: \(refusal.path): \(refusal.reason)")
        }
        if triggers.plugins.isEmpty {
            log.log(.warning, "no trigger plugins loaded: verdicts carry no trigger reports")
        } else {
            log.log(.info, "trigger plugins: \(triggers.plugins.map(\.name).joined(separator: ", "))")
        }
    }

    /// SIGHUP reloads; SIGTERM and SIGINT start the group's graceful shutdown (STOPPING=1).
    private func installSignals(_ serviceGroup: ServiceGroup) {
        ShutdownSignals.forward { [weak self] signal in
            guard let self else { return }
            if signal == SIGHUP {
                _ = try? self.reload()
            } else {
                _ = SystemdNotifier.stopping()
                self.log.log(.notice, "draining: \(self.pipeline.queueDepth) image(s) queued")
                Task { await serviceGroup.triggerGracefulShutdown() }
            }
        }
    }

    /// WATCHDOG=1 at half of WatchdogSec=, only while the batcher and the event loop have
    /// beaten within WatchdogSec= (60 s without a watchdog); a stale one is logged at error
    /// priority and turns health to degraded until it beats again.
    private func statusService() -> StatusService {
        let interval = SystemdNotifier.watchdogInterval.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        let watchdog = Watchdog(heartbeats: pipeline.heartbeats + [eventLoopHeartbeat], staleAfter: interval ?? 60, health: health) {
            if interval != nil { _ = SystemdNotifier.watchdog() }
        }
        let log = self.log
        return StatusService(
            watchdog: watchdog, period: (interval ?? 10) / 2, status: { [weak self] in self?.statusLine() ?? "" },
            onStale: { log.log(.err, "watchdog: no heartbeat from \($0.joined(separator: " and ")); not pinging systemd") },
            states: states)
    }

    /// How long a file whose verdict could not be committed or moved waits in the inbox.
    static let inboxRetrySeconds: TimeInterval = 5

    /// Each complete file in the inbox is certified; it leaves the inbox only after its
    /// verdict is committed (processed/ + sidecar) or its failure recorded (failed/ + .error.json).
    ///
    /// When watching fails (the inbox removed, inotify out of watches) the error is logged at
    /// error priority, health turns degraded with the reason, and the watch service starts
    /// watching again every `inboxRetrySeconds` (recreating the inbox) until it works; the
    /// socket serves meanwhile.
    private func watchService(_ inbox: String, maxBytes: Int) -> WatchService {
        let pipeline = self.pipeline, log = self.log, health = self.health
        return WatchService(
            makeWatcher: {
                let watcher = WatchFolder(inbox: inbox)
                health.clear("watch")
                watcher.onError = { message in
                    log.log(.err, "watch folder: \(message); retrying in \(Int(Self.inboxRetrySeconds)) s")
                    health.degrade("watch", message)
                }
                return watcher
            },
            handle: { watcher, path in
                Self.certify(path, from: watcher, maxBytes: maxBytes, pipeline: pipeline, log: log)
            }, retry: Self.inboxRetrySeconds, states: states)
    }

    private static func certify(
        _ path: String, from watcher: WatchFolder, maxBytes: Int, pipeline: CertificationPipeline, log: JournalLogger
    ) {
        let bytes: [UInt8]
        switch watcher.read(path, maxBytes: maxBytes) {
        case let .success(read): bytes = read
        case let .failure(e):
            log.log(.warning, e.message, fields: ["CERTSSB_FILE": path])
            do { try watcher.fail(path, code: e.code, message: e.message) } catch {
                watcher.retryLater(path, after: Self.inboxRetrySeconds)
                log.log(.err, "could not move \(path) to failed/ (kept in the inbox): \(error)")
            }
            return
        }
        pipeline.submit(bytes: bytes, source: path) { result in
            switch result {
            case let .success(v):
                do {
                    try watcher.finish(path, verdictJSON: v.jsonBytes())
                    log.log(
                        .info, "\((path as NSString).lastPathComponent): label \(v.label) radius \(v.radius)",
                        fields: v.journalFields.merging(["CERTSSB_FILE": path]) { $1 })
                } catch {
                    // The verdict is committed; the next try finds it in the store and only moves the file.
                    watcher.retryLater(path, after: Self.inboxRetrySeconds)
                    log.log(
                        .err,
                        "could not move \(path) to processed/ (kept in the inbox, retried in \(Int(Self.inboxRetrySeconds)) s): \(error)")
                }
            case let .failure(e) where e.status == 503:
                // Not the file's fault (the store could not commit: a full disk): it stays in the inbox.
                watcher.retryLater(path, after: Self.inboxRetrySeconds)
                log.log(
                    .err,
                    "\((path as NSString).lastPathComponent): \(e.message); kept in the inbox, retried in \(Int(Self.inboxRetrySeconds)) s",
                    fields: ["CERTSSB_FILE": path])
            case let .failure(e):
                do { try watcher.fail(path, code: e.code, message: e.message) } catch {
                    watcher.retryLater(path, after: Self.inboxRetrySeconds)
                    log.log(.err, "could not move \(path) to failed/ (kept in the inbox): \(error)")
                }
                log.log(.warning, "\((path as NSString).lastPathComponent): \(e.message)", fields: ["CERTSSB_FILE": path])
            }
        }
    }
}
