import CertPipeline
import Foundation
import ServiceLifecycle

// certssbd's four services, run by one ServiceGroup (Daemon.run) in this order and shut down
// in reverse: the watch folder stops taking files, the server stops taking connections, the
// pipeline drains what is queued, and the status service reports until the end. The BLAS
// workers and the batcher stay threads (as NIO keeps its NIOThreadPool); each service only
// owns their start and stop.

/// The batcher: starts it, and on graceful shutdown drains the queue (every queued image
/// gets its verdict or its error before the process exits).
struct PipelineService: Service {
    let pipeline: CertificationPipeline
    let states: ServiceStates

    func run() async throws {
        states.set("pipeline", .running)
        try? await gracefulShutdown()
        states.set("pipeline", .stopping)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            // drain() blocks until the batcher is idle: keep it off the cooperative pool.
            Thread.detachNewThread {
                pipeline.drain(); done.resume()
            }
        }
        states.set("pipeline", .stopped)
    }
}

/// The socket server (bound before the group starts, so READY=1 means it answers): on
/// graceful shutdown it stops accepting and closes.
struct SocketService: Service {
    let server: HTTPServer
    let states: ServiceStates

    func run() async throws {
        states.set("socket", .running)
        try? await gracefulShutdown()
        states.set("socket", .stopping)
        try? await server.close()
        states.set("socket", .stopped)
    }
}

/// The watch folder: yields complete files to `handle`; when watching fails it is started
/// again every `retry` seconds (the failure itself is reported by `onStart`'s watcher).
struct WatchService: Service {
    let makeWatcher: @Sendable () -> WatchFolder
    let handle: @Sendable (WatchFolder, String) -> Void
    let retry: TimeInterval
    let states: ServiceStates

    func run() async throws {
        states.set("watch", .running)
        while !Task.isCancelled {
            let watcher = makeWatcher()
            await withGracefulShutdownHandler {
                for await path in watcher.files() { handle(watcher, path) }
            } onGracefulShutdown: {
                watcher.stop()
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            states.set("watch", .starting)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(retry)) }
            if Task.isShuttingDownGracefully { break }
            states.set("watch", .running)
        }
        states.set("watch", .stopped)
    }
}

/// STATUS= and the watchdog: every `period` seconds a watchdog round (WATCHDOG=1 only while
/// every heartbeat is fresh) and a status line; STOPPING=1 when the shutdown begins.
struct StatusService: Service {
    let watchdog: Watchdog
    let period: TimeInterval
    let status: @Sendable () -> String
    let onStale: @Sendable ([String]) -> Void
    let states: ServiceStates

    func run() async throws {
        states.set("status", .running)
        var wasStale: [String] = []
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(period)) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let stale = watchdog.check()
            if !stale.isEmpty && stale != wasStale { onStale(stale) }
            wasStale = stale
            _ = SystemdNotifier.status(status())
        }
        states.set("status", .stopped)
    }
}
