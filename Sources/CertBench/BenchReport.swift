import Foundation

/// Everything one `certssb bench` run measured: figures (median, min, max of repeated runs),
/// strings, the keys it could not measure and why, the machine, and the targets evaluated on
/// the medians. `json` is the object `certssb bench --json` prints; `table` the human form.
public struct BenchReport: Sendable {
    /// The keys issue 10 asks for, in the order the table shows them.
    public static let issueKeys = [
        "images_per_s", "images_per_s_real", "images_per_s_target", "accuracy_real", "accuracy_target",
        "model_runs_per_image_real", "model_runs_per_image_target", "latency_ms_p50", "latency_ms_p99", "latency_ms_p50_target",
        "sgemm_gflops", "engine_gflops", "scaling_2_over_1", "daemon_images_per_s", "daemon_images_per_s_default", "weights_mb",
        "rss_mb", "memory_gbps", "peak_rss_mb", "storage_update_ms_1e6", "storage_update_brute_ms_1e6", "region_index_mb_1e6",
        "blas_kernel",
    ]

    /// Measured figures by key.
    public var figures: [String: BenchFigure] = [:]
    /// Text values by key (`blas_kernel`, the torch command, …).
    public var strings: [String: String] = [:]
    /// Keys not measured in this run, each with the reason (printed as null in the JSON).
    public var skipped: [String: String] = [:]
    /// Where it ran.
    public var machine: MachineInfo
    /// The storage-update keys' suffix ("1e6" at 10⁶ regions), for the targets.
    public var storageSuffix = "1e6"

    /// An empty report for `machine`.
    public init(machine: MachineInfo) { self.machine = machine }

    /// Records `figure` under `key`.
    public mutating func set(_ key: String, _ figure: BenchFigure) {
        figures[key] = figure
        skipped[key] = nil
    }

    /// Records that `keys` were not measured, and why (a key measured already stays).
    public mutating func skip(_ keys: [String], _ reason: String) {
        for key in keys where figures[key] == nil && strings[key] == nil { skipped[key] = reason }
    }

    /// The targets on this run's medians.
    public var targets: [BenchTarget] {
        BenchTarget.evaluate(figures.mapValues(\.median), storageSuffix: storageSuffix)
    }

    /// Issue keys neither measured nor skipped: a bench that forgot one (tests check it is empty).
    public var unaccounted: [String] {
        Self.issueKeys.filter { figures[$0] == nil && strings[$0] == nil && skipped[$0] == nil }
    }

    /// The JSON object: each figure as `key` (median), `key_min` and `key_max`; strings as
    /// they are; skipped keys as null (with `_min`/`_max` null too) and their reasons under
    /// `skipped`; `runs` (how many runs each figure's median is of); `targets` (by name:
    /// rule, ratio, threshold, comparison, pass); `machine`.
    public var json: [String: Any] {
        var out: [String: Any] = [:]
        var runs: [String: Int] = [:]
        for (key, f) in figures {
            out[key] = Self.number(f.median)
            out[key + "_min"] = Self.number(f.min)
            out[key + "_max"] = Self.number(f.max)
            runs[key] = f.samples.count
        }
        for (key, s) in strings { out[key] = s }
        for key in skipped.keys where out[key] == nil {
            out[key] = NSNull()
            out[key + "_min"] = NSNull()
            out[key + "_max"] = NSNull()
        }
        out["skipped"] = skipped
        out["runs"] = runs
        var targets: [String: Any] = [:]
        for t in self.targets {
            targets[t.name] = [
                "rule": t.rule, "ratio": t.ratio.map(Self.number) ?? NSNull(), "threshold": t.threshold,
                "comparison": t.comparison.rawValue, "pass": t.pass.map { $0 as Any } ?? NSNull(),
                "missing": t.missing.map { $0 as Any } ?? NSNull(),
            ]
        }
        out["targets"] = targets
        out["machine"] = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(machine))) ?? [:]
        return out
    }

    /// The JSON text, keys sorted, indented.
    public var jsonText: String {
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// NaN and infinities have no JSON form: null.
    static func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

    /// The human table: every issue key, then the other figures, then the targets.
    public var table: [String] {
        var lines: [String] = []
        let width = Set(figures.keys).union(strings.keys).union(skipped.keys).map(\.count).max().map { $0 + 2 } ?? 34
        func row(_ key: String) {
            if let f = figures[key] {
                let runs =
                    f.samples.count > 1
                    ? String(format: "  [%@ – %@, %d runs]", Self.format(f.min), Self.format(f.max), f.samples.count) : ""
                lines.append("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + Self.format(f.median).leftPadded(12) + runs)
            } else if let s = strings[key] {
                lines.append("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + " " + s)
            } else if let reason = skipped[key] {
                lines.append("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "—".leftPadded(12) + "  (" + reason + ")")
            }
        }
        lines.append("issue 10 figures (median [min – max] of repeated runs)")
        Self.issueKeys.forEach(row)
        let others = Set(figures.keys).union(strings.keys).union(skipped.keys).subtracting(Self.issueKeys).sorted()
        if !others.isEmpty {
            lines.append("")
            lines.append("more figures")
            others.forEach(row)
        }
        lines.append("")
        lines.append("targets (ratios of this run's medians)")
        for t in targets {
            let verdict = t.pass.map { $0 ? "pass" : "FAIL" } ?? "n/a"
            let ratio = t.ratio.map { Self.format($0) } ?? "—"
            lines.append(
                "  " + verdict.padding(toLength: 5, withPad: " ", startingAt: 0) + t.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + ratio.leftPadded(10) + "   " + t.rule + (t.missing.map { "   (\($0))" } ?? ""))
        }
        return lines
    }

    /// Three significant digits, at least one decimal below 100.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let a = abs(x)
        if a >= 100 { return String(format: "%.0f", x) }
        if a >= 10 { return String(format: "%.1f", x) }
        if a >= 1 { return String(format: "%.2f", x) }
        return String(format: "%.3g", x)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
