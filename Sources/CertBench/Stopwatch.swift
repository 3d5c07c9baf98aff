import Foundation

/// Monotonic timing: repeats a body until a minimum time has passed and reports the mean
/// and the best per-iteration time in seconds.
public enum Stopwatch {
    /// Seconds on the monotonic clock (CLOCK_MONOTONIC), from an arbitrary origin.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func measure(minimumSeconds: Double, minimumIterations: Int = 3, _ body: () -> Void) -> (
        mean: Double, best: Double, iterations: Int
    ) {
        body()  // warm caches, page in weights
        var iterations = 0, total = 0.0, best = Double.infinity
        while total < minimumSeconds || iterations < minimumIterations {
            let t0 = now()
            body()
            let dt = now() - t0
            total += dt; best = min(best, dt); iterations += 1
        }
        return (total / Double(iterations), best, iterations)
    }
}
