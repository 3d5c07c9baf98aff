import Foundation

/// Waiting on conditions, not on the clock: a deadline only bounds how long a broken run
/// hangs, so it is generous (a loaded machine is slow, not wrong), and a test that waits
/// never asserts how long it waited.
public enum Wait {
    /// How long a test waits for something that should happen "soon".
    public static let defaultTimeout: Double = 60

    /// Polls `condition` until it holds or `timeout` seconds pass; whether it held. Blocks the
    /// calling thread: for synchronous tests.
    @discardableResult
    public static func until(
        timeout: Double = defaultTimeout, every interval: Double = 0.02,
        _ condition: () throws -> Bool
    ) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(UInt32(interval * 1_000_000))
        }
        return try condition()
    }

    /// The same for async tests: sleeps between polls instead of blocking a thread.
    @discardableResult
    public static func untilAsync(
        timeout: Double = defaultTimeout, every interval: Double = 0.02,
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .seconds(interval))
        }
        return try await condition()
    }
}
