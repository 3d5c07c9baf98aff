import Foundation

/// A component's last sign of life on the monotonic clock. The batcher beats while it waits
/// for work (at least once a second) and between the steps of a batch; the event loop beats
/// from a repeated task. The watchdog pings systemd only while every heartbeat is fresh, so a
/// stuck batcher or event loop trips WatchdogSec= and an idle daemon never does.
///
/// `@unchecked Sendable`: `last`, the only mutable state, is behind `lock`.
public final class Heartbeat: @unchecked Sendable {
    /// The component's name in /v1/health and the watchdog's messages (`batcher`, `event loop`).
    public let name: String
    private let lock = NSLock()
    private var last = DispatchTime.now().uptimeNanoseconds

    /// A heartbeat that has just beaten.
    public init(name: String) { self.name = name }

    /// Records a sign of life now.
    public func beat() { lock.withLock { last = DispatchTime.now().uptimeNanoseconds } }

    /// Seconds since the last beat.
    public var age: Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return Double(now &- lock.withLock { last }) / 1e9
    }
}

/// Why the daemon is not fully healthy: one reason per component, shown by /v1/health and
/// STATUS=. Empty means healthy.
///
/// `@unchecked Sendable`: `reasons` is read and changed only under `lock`.
public final class HealthState: @unchecked Sendable {
    private let lock = NSLock()
    private var reasons: [String: String] = [:]

    /// Healthy: no reasons.
    public init() {}

    /// Marks `component` degraded with `reason` (replacing its earlier one).
    public func degrade(_ component: String, _ reason: String) { lock.withLock { reasons[component] = reason } }
    /// Marks `component` healthy again.
    public func clear(_ component: String) { lock.withLock { _ = reasons.removeValue(forKey: component) } }

    /// "component: reason", sorted by component.
    public var problems: [String] {
        lock.withLock { reasons.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" } }
    }
}

/// Pings the service manager while every heartbeat is fresh; marks health degraded (and
/// stops pinging) while one is stale. `ping` and `status` are sd_notify in the daemon and
/// recorders in tests.
///
/// `@unchecked Sendable`: immutable (only `let`s), and everything it holds is safe to share:
/// heartbeats and health lock themselves, `ping` is `@Sendable`.
public final class Watchdog: @unchecked Sendable {
    let heartbeats: [Heartbeat]
    let staleAfter: Double
    let health: HealthState
    let ping: @Sendable () -> Void

    /// A watchdog over `heartbeats` that counts one stale after `staleAfter` seconds without a beat
    /// (WatchdogSec) and calls `ping` (WATCHDOG=1) when none is.
    public init(heartbeats: [Heartbeat], staleAfter: Double, health: HealthState, ping: @escaping @Sendable () -> Void) {
        self.heartbeats = heartbeats
        self.staleAfter = staleAfter
        self.health = health
        self.ping = ping
    }

    /// One round: the names of the stale heartbeats (none: pinged).
    @discardableResult
    public func check() -> [String] {
        let stale = heartbeats.filter { $0.age > staleAfter }
        for h in heartbeats {
            if stale.contains(where: { $0 === h }) {
                health.degrade(h.name, String(format: "no heartbeat for %.0f s", h.age))
            } else {
                health.clear(h.name)
            }
        }
        if stale.isEmpty { ping() }
        return stale.map(\.name)
    }
}
