import Foundation

/// The explicit state of each of certssbd's services, reported by /v1/health.
public enum ServiceState: String, Sendable {
    /// Not running yet (or restarting its watch), running, shutting down, done.
    case starting, running, stopping, stopped
}

/// Thread-safe map from service name to its state.
///
/// `@unchecked Sendable`: `states` is read and changed only under `lock`.
public final class ServiceStates: @unchecked Sendable {
    private let lock = NSLock()
    private var states: [String: ServiceState] = [:]

    /// No service has a state yet.
    public init() {}

    /// Records `name`'s state (`status`, `pipeline`, `socket`, `watch`).
    public func set(_ name: String, _ state: ServiceState) { lock.withLock { states[name] = state } }

    /// Every service's state by name, as /v1/health shows it.
    public var snapshot: [String: String] { lock.withLock { states.mapValues(\.rawValue) } }
}
