/// One figure of `certssb bench`: the median of repeated runs, with the smallest and largest
/// run beside it (CONTRACTS.md §6: figures are medians of at least three runs on a shared
/// machine, compared as ratios within one run).
public struct BenchFigure: Sendable, Equatable {
    /// Every run's value, in the order measured.
    public var samples: [Double]

    /// A figure from its runs; at least one.
    public init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "a figure needs at least one run")
        self.samples = samples
    }

    /// A figure measured once (a size, or a count that does not vary between runs).
    public init(single value: Double) { self.init([value]) }

    /// The median run (the mean of the two middle runs for an even count).
    public var median: Double { Self.percentile(samples, 0.5) }
    /// The smallest run.
    public var min: Double { samples.min()! }
    /// The largest run.
    public var max: Double { samples.max()! }
    /// True when every run is a finite number.
    public var isFinite: Bool { samples.allSatisfy(\.isFinite) }

    /// The `q` quantile (0…1) of `values`, linear between the closest ranks (numpy's default),
    /// so the 0.5 quantile is the median and 0.99 of 50 values lies between the two largest.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        precondition(!values.isEmpty)
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    /// The figure made from the same statistic of each run: e.g. each run's p50.
    public static func of(_ runs: [[Double]], _ statistic: ([Double]) -> Double) -> BenchFigure {
        BenchFigure(runs.map(statistic))
    }
}
