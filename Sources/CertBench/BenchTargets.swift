/// Issue 10's speed targets, each evaluated as a ratio of figures measured in the same run
/// (CONTRACTS.md §6: compare ratios within one run on a shared machine).
public struct BenchTarget: Sendable, Equatable {
    /// How a ratio is compared with its threshold.
    public enum Comparison: String, Sendable {
        /// ratio ≥ threshold.
        case atLeast = ">="
        /// ratio ≤ threshold.
        case atMost = "<="
        /// ratio < threshold.
        case below = "<"
    }

    /// A short stable name (the key in the JSON's `targets`).
    public var name: String
    /// The rule in terms of the report's keys, e.g. "engine_gflops / sgemm_gflops >= 0.7".
    public var rule: String
    /// The measured ratio (from the medians); nil when a figure it needs was not measured.
    public var ratio: Double?
    /// What the ratio is compared with.
    public var threshold: Double
    /// How.
    public var comparison: Comparison
    /// Why the ratio is missing (the first figure that was).
    public var missing: String?

    /// True or false once measured; nil when a figure is missing.
    public var pass: Bool? {
        guard let ratio, ratio.isFinite else { return nil }
        switch comparison {
        case .atLeast: return ratio >= threshold
        case .atMost: return ratio <= threshold
        case .below: return ratio < threshold
        }
    }
}

extension BenchTarget {
    /// Every target from the medians of `figures`; `storageSuffix` is the storage-update keys'
    /// suffix ("1e6" at 10⁶ regions).
    public static func evaluate(_ figures: [String: Double], storageSuffix: String = "1e6") -> [BenchTarget] {
        func target(
            _ name: String, _ rule: String, _ threshold: Double, _ comparison: Comparison, _ keys: [String],
            _ ratio: ([Double]) -> Double
        ) -> BenchTarget {
            let values = keys.map { figures[$0] }
            let missing = zip(keys, values).first { $0.1 == nil }?.0
            return BenchTarget(
                name: name, rule: rule, ratio: missing == nil ? ratio(values.map { $0! }) : nil, threshold: threshold,
                comparison: comparison, missing: missing.map { "\($0) not measured" })
        }
        let s = storageSuffix
        return [
            target("engine_vs_sgemm", "engine_gflops / sgemm_gflops >= 0.7", 0.7, .atLeast, ["engine_gflops", "sgemm_gflops"]) {
                $0[0] / $0[1]
            },
            target("scaling_2_over_1", "scaling_2_over_1 >= 1.8", 1.8, .atLeast, ["scaling_2_over_1"]) { $0[0] },
            target(
                "target_speedup", "images_per_s_target / images_per_s_real >= 3", 3, .atLeast,
                ["images_per_s_target", "images_per_s_real"]
            ) { $0[0] / $0[1] },
            target(
                "target_model_runs", "model_runs_per_image_target / model_runs_per_image_real <= 0.3", 0.3, .atMost,
                ["model_runs_per_image_target", "model_runs_per_image_real"]
            ) { $0[0] / $0[1] },
            target("accuracy_real", "accuracy_real >= 0.8", 0.8, .atLeast, ["accuracy_real"]) { $0[0] },
            target(
                "accuracy_target", "accuracy_target - accuracy_real >= -0.01", -0.01, .atLeast, ["accuracy_target", "accuracy_real"]
            ) { accuracyDifference($0[0], $0[1]) },
            target(
                "latency_vs_weight_read", "latency_ms_p50 / (weights_mb / memory_gbps) <= 1.3", 1.3, .atMost,
                ["latency_ms_p50", "weights_mb", "memory_gbps"]
            ) { $0[0] / ($0[1] / $0[2]) },
            target(
                "latency_vs_torch_vmap", "latency_ms_p50 / torch_vmap_latency_ms_p50 < 1", 1, .below,
                ["latency_ms_p50", "torch_vmap_latency_ms_p50"]
            ) { $0[0] / $0[1] },
            target(
                "daemon_vs_engine", "daemon_images_per_s / images_per_s >= 0.75", 0.75, .atLeast, ["daemon_images_per_s", "images_per_s"]
            ) { $0[0] / $0[1] },
            target(
                "peak_rss", "peak_rss_mb / (1.2 * weights_mb + 200) <= 1", 1, .atMost, ["peak_rss_mb", "weights_mb"]
            ) { $0[0] / (1.2 * $0[1] + 200) },
            target(
                "storage_update", "storage_update_ms_\(s) / storage_update_brute_ms_\(s) <= 0.1", 0.1, .atMost,
                ["storage_update_ms_\(s)", "storage_update_brute_ms_\(s)"]
            ) { $0[0] / $0[1] },
            target("region_index_mb", "region_index_mb_\(s) <= 160", 160, .atMost, ["region_index_mb_\(s)"]) { $0[0] },
        ]
    }
}

extension BenchTarget {
    /// `target - real` for two accuracies over the same digits, rounded to 1e-9: both are
    /// counts over the same count, so the difference is a multiple of 1/count, and binary
    /// rounding must not fail exactly the allowed 1% (0.975 − 0.985 is −0.010000000000000009
    /// in Double: 2 digits of 200).
    static func accuracyDifference(_ target: Double, _ real: Double) -> Double {
        ((target - real) * 1e9).rounded() / 1e9
    }
}
