import Foundation

/// The explicit state of each of certssbd's services, reported by /v1/health.
public enum ServiceState: String, Sendable {
    case starting, running, stopping, stopped
}

/// Thread-safe map from service name to its state.
public final class ServiceStates: @unchecked Sendable {
    private let lock = NSLock()
    private var states: [String: ServiceState] = [:]

    public init() {}

    public func set(_ name: String, _ state: ServiceState) { lock.withLock { states[name] = state } }

    public var snapshot: [String: String] { lock.withLock { states.mapValues(\.rawValue) } }
}
