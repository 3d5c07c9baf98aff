import Foundation
import NIOCore
import NIOPosix

/// certssbd's lifecycle with explicit states: load (models, plugins, store) → serve (socket
/// and watch folder) → READY=1; SIGHUP reloads (RELOADING=1 … READY=1; a failed reload
/// keeps the old state); SIGTERM drains (STOPPING=1, finish the queue) and exits 0.
public final class Daemon: @unchecked Sendable {
    let configPath: String?
    let overrides: [String: String]
    let log: JournalLogger
    private(set) var config: DaemonConfig
    let pipeline: CertificationPipeline
    private var server: HTTPServer?
    private var watcher: WatchFolder?
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let stopped = DispatchSemaphore(value: 0)
    private let reloading = NSLock()
    /// What /v1/health and STATUS= report besides the pipeline's state.
    let health = HealthState()
    /// Beaten by a repeated task on the event loop.
    let eventLoopHeartbeat = Heartbeat(name: "event loop")
    private var stopping: Bool { pipeline.state == .draining || pipeline.state == .stopped }

    public init(configPath: String?, overrides: [String: String]) throws {
        self.configPath = configPath
        self.overrides = overrides
        config = try Self.loadConfig(configPath, overrides)
        log = JournalLogger(threshold: config.logThreshold)
        pipeline = try CertificationPipeline(config: config)
    }

    static func loadConfig(_ path: String?, _ overrides: [String: String]) throws -> DaemonConfig {
        let base = try path.map { try ConfigParser.load(path: $0) } ?? DaemonConfig()
        return try base.applying(overrides: overrides)
    }

    /// Runs until SIGTERM/SIGINT; returns after the drain.
    public func run() async throws {
        pipeline.start()
        let service = DaemonService(pipeline: pipeline, health: health) { [weak self] in try self?.reload() ?? [] }
        let limits = HTTPServer.Limits(maxUploadBytes: config.maxUploadBytes, readTimeout: .milliseconds(Int64(config.readTimeoutMs)), maxConnections: 256)
        let server = HTTPServer(service: service, limits: limits, group: group)
        if let fd = SocketActivation.listeningSockets().first {
            try await server.adopt(fd: fd)
            log.log(.info, "serving on the socket systemd passed (fd \(fd))")
        } else {
            try await server.bind(path: config.socket, mode: mode_t(config.socketMode))
            log.log(.info, "serving on \(config.socket)")
        }
        self.server = server
        let beat = eventLoopHeartbeat
        _ = group.next().scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) { _ in beat.beat() }
        if !config.watchDir.isEmpty { startWatching(config.watchDir) }
        installSignals()
        startWatchdog()
        logPlugins()
        _ = SystemdNotifier.ready(status: statusLine())
        log.log(.notice, "certssbd ready: model set \(pipeline.currentEngine.modelSet.directory) (\(pipeline.currentEngine.modelSet.count) models)")
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { self.stopped.wait(); c.resume() }
        }
        _ = SystemdNotifier.stopping()
        log.log(.notice, "draining: \(pipeline.queueDepth) image(s) queued")
        watcher?.stop()
        try? await server.close()
        pipeline.drain()
        try? await group.shutdownGracefully()
        log.log(.notice, "stopped")
    }

    func statusLine() -> String {
        let c = pipeline.counters.snapshot
        let rate = c.busySeconds > 0 ? Double(c.verdicts) / c.busySeconds : 0
        let problems = health.problems
        return String(format: "queue %d, %d verdicts (%d certified), %.1f images/s while busy", pipeline.queueDepth, c.verdicts, c.certified, rate)
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
                log.log(.warning, "reload: \(restart.joined(separator: ", ")) changed but take effect only at a restart (systemctl restart certssbd)")
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

    /// SIGHUP reloads; SIGTERM and SIGINT drain.
    private func installSignals() {
        ShutdownSignals.forward { [weak self] signal in
            guard let self else { return }
            if signal == SIGHUP { _ = try? self.reload() } else { self.stopped.signal() }
        }
    }

    /// WATCHDOG=1 at half of WatchdogSec=, only while the batcher and the event loop have
    /// beaten within WatchdogSec= (60 s without a watchdog); a stale one is logged at error
    /// priority and turns health to degraded until it beats again.
    private func startWatchdog() {
        let interval = SystemdNotifier.watchdogInterval.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        let watchdog = Watchdog(heartbeats: [pipeline.heartbeat, eventLoopHeartbeat], staleAfter: interval ?? 60, health: health) {
            if interval != nil { _ = SystemdNotifier.watchdog() }
        }
        Thread.detachNewThread { [weak self] in
            var wasStale: [String] = []
            while let self, self.pipeline.state != .stopped {
                Thread.sleep(forTimeInterval: (interval ?? 10) / 2)
                let stale = watchdog.check()
                if !stale.isEmpty && stale != wasStale {
                    self.log.log(.err, "watchdog: no heartbeat from \(stale.joined(separator: " and ")); not pinging systemd")
                }
                wasStale = stale
                _ = SystemdNotifier.status(self.statusLine())
            }
        }
    }

    /// How long a file whose verdict could not be committed or moved waits in the inbox.
    static let inboxRetrySeconds: TimeInterval = 5

    /// Each complete file in the inbox is certified; it leaves the inbox only after its
    /// verdict is committed (processed/ + sidecar) or its failure recorded (failed/ + .error.json).
    ///
    /// When watching fails (the inbox removed, inotify out of watches) the error is logged at
    /// error priority, health turns degraded with the reason, and watching starts again every
    /// `inboxRetrySeconds` (recreating the inbox) until it works; the socket serves meanwhile.
    private func startWatching(_ inbox: String) {
        let watcher = WatchFolder(inbox: inbox)
        self.watcher = watcher
        health.clear("watch")
        watcher.onError = { [weak self] message in
            guard let self, !self.stopping else { return }
            self.log.log(.err, "watch folder: \(message); retrying in \(Int(Self.inboxRetrySeconds)) s")
            self.health.degrade("watch", message)
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.inboxRetrySeconds) { [weak self] in
                guard let self, !self.stopping else { return }
                self.startWatching(inbox)
            }
        }
        let pipeline = self.pipeline, log = self.log, maxBytes = config.maxUploadBytes
        Task.detached {
            for await path in watcher.files() {
                let bytes: [UInt8]
                switch watcher.read(path, maxBytes: maxBytes) {
                case let .success(read): bytes = read
                case let .failure(e):
                    log.log(.warning, e.message, fields: ["CERTSSB_FILE": path])
                    do { try watcher.fail(path, code: e.code, message: e.message) } catch {
                        watcher.retryLater(path, after: Self.inboxRetrySeconds)
                        log.log(.err, "could not move \(path) to failed/ (kept in the inbox): \(error)")
                    }
                    continue
                }
                pipeline.submit(bytes: bytes, source: path) { result in
                    switch result {
                    case let .success(v):
                        do {
                            try watcher.finish(path, verdictJSON: v.jsonBytes())
                            log.log(.info, "\((path as NSString).lastPathComponent): label \(v.label) radius \(v.radius)",
                                    fields: v.journalFields.merging(["CERTSSB_FILE": path]) { $1 })
                        } catch {
                            // The verdict is committed; the next try finds it in the store and only moves the file.
                            watcher.retryLater(path, after: Self.inboxRetrySeconds)
                            log.log(.err, "could not move \(path) to processed/ (kept in the inbox, retried in \(Int(Self.inboxRetrySeconds)) s): \(error)")
                        }
                    case let .failure(e) where e.status == 503:
                        // Not the file's fault (the store could not commit: a full disk): it stays in the inbox.
                        watcher.retryLater(path, after: Self.inboxRetrySeconds)
                        log.log(.err, "\((path as NSString).lastPathComponent): \(e.message); kept in the inbox, retried in \(Int(Self.inboxRetrySeconds)) s",
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
    }
}
