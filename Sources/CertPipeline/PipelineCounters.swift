import Certify
import Foundation

/// What /v1/stats, /metrics and the STATUS= line report: totals since start, failures by
/// error code, and how long images waited for their verdict (arrival to reply).
///
/// `@unchecked Sendable`: `current`, the only mutable state, is read and changed only under `lock`.
public final class PipelineCounters: @unchecked Sendable {
    /// The counters at one moment (a copy).
    public struct Snapshot: Sendable {
        /// Verdicts committed, certified among them, and uploads refused with 429.
        public var verdicts = 0, certified = 0, rejected = 0
        /// Seconds spent processing batches.
        public var busySeconds = 0.0
        /// Failed images by `ServiceError.code` (bad_image, store_unavailable, draining, …).
        public var failures: [String: Int] = [:]
        /// Arrival-to-answer seconds of every answered image.
        public var latency = LatencyHistogram()
    }

    private let lock = NSLock()
    private var current = Snapshot()

    func add(certified c: Int = 0, total: Int = 0, seconds: Double = 0, rejected r: Int = 0) {
        lock.withLock {
            current.verdicts += total; current.certified += c; current.busySeconds += seconds; current.rejected += r
        }
    }

    /// One image answered after `seconds` in the daemon.
    func record(_ result: Result<Verdict, ServiceError>, seconds: Double) {
        lock.withLock {
            current.latency.observe(seconds)
            if case let .failure(error) = result { current.failures[error.code, default: 0] += 1 }
        }
    }

    /// A consistent copy of all counters.
    public var snapshot: Snapshot { lock.withLock { current } }
}

/// A Prometheus histogram with fixed bounds in seconds (cumulative buckets, sum, count).
public struct LatencyHistogram: Sendable {
    /// Upper bucket bounds in seconds; +Inf is `count`.
    public static let bounds: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// Cumulative counts: `counts[i]` = observations ≤ `bounds[i]`.
    public private(set) var counts = [Int](repeating: 0, count: bounds.count)
    /// The sum of all observations, in seconds.
    public private(set) var sum = 0.0
    /// The number of observations.
    public private(set) var count = 0

    mutating func observe(_ seconds: Double) {
        for (i, bound) in Self.bounds.enumerated() where seconds <= bound { counts[i] += 1 }
        sum += seconds
        count += 1
    }
}
