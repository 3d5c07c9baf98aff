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
        let service = DaemonService(pipeline: pipeline) { [weak self] in try self?.reload() }
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
        return String(format: "queue %d, %d verdicts (%d certified), %.1f images/s while busy", pipeline.queueDepth, c.verdicts, c.certified, rate)
    }

    /// Re-reads the config, models and plugins; the old engine serves until the new one is built.
    func reload() throws {
        // SIGHUP and POST /v1/reload may come together: one reload at a time.
        reloading.lock()
        defer { reloading.unlock() }
        _ = SystemdNotifier.reloading()
        defer { SystemdNotifier.ready(status: statusLine()) }
        do {
            let fresh = try Self.loadConfig(configPath, overrides)
            try pipeline.reload(fresh)
            config = fresh
            log.log(.notice, "reloaded: model set \(pipeline.currentEngine.modelSet.directory)")
            logPlugins()
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
            if signal == SIGHUP { try? self.reload() } else { self.stopped.signal() }
        }
    }

    private func startWatchdog() {
        let interval = SystemdNotifier.watchdogInterval
        Thread.detachNewThread { [weak self] in
            while let self, self.pipeline.state != .stopped {
                Thread.sleep(forTimeInterval: interval.map { Double($0.components.seconds) / 2 + Double($0.components.attoseconds) / 2e18 } ?? 5)
                if interval != nil { _ = SystemdNotifier.watchdog() }
                _ = SystemdNotifier.status(self.statusLine())
            }
        }
    }

    /// How long a file whose verdict could not be committed or moved waits in the inbox.
    static let inboxRetrySeconds: TimeInterval = 5

    /// Each complete file in the inbox is certified; it leaves the inbox only after its
    /// verdict is committed (processed/ + sidecar) or its failure recorded (failed/ + .error.json).
    private func startWatching(_ inbox: String) {
        let watcher = WatchFolder(inbox: inbox)
        self.watcher = watcher
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
