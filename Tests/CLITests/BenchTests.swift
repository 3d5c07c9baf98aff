import CertTestSupport
import Foundation
import Testing

/// `certssb bench` runs end to end and says where it ran. No figure is asserted beyond
/// being a finite number between its runs' min and max: timings belong in benchmarks, not tests.
@Suite(.blockingWork) struct BenchTests {
    /// The keys issue 10, item 7 names: each a number (the median, with `_min` and `_max`
    /// beside it), a string, or null with the reason under `skipped`.
    static let issueKeys = [
        "images_per_s", "images_per_s_real", "images_per_s_target", "accuracy_real", "accuracy_target",
        "model_runs_per_image_real", "model_runs_per_image_target", "latency_ms_p50", "latency_ms_p99", "latency_ms_p50_target",
        "sgemm_gflops", "engine_gflops", "scaling_2_over_1", "daemon_images_per_s", "daemon_images_per_s_default", "weights_mb",
        "rss_mb", "memory_gbps", "peak_rss_mb", "storage_update_ms_1e6", "storage_update_brute_ms_1e6", "region_index_mb_1e6",
        "blas_kernel",
    ]

    /// A tiny full bench (random set of 8, a trained set of 4 models for one epoch, certssbd
    /// over its socket, a 3000-region store): one JSON object with every issue key, finite
    /// medians between their min and max, the targets computed from those medians, and the
    /// machine. Torch is pointed at a python that cannot import it, so its keys must say why.
    @Test func benchJSONHasEveryIssueKeyAndTheTargets() throws {
        let directory = try TemporaryDirectory("bench")
        defer { directory.remove() }
        let shared = FileManager.default.isReadableFile(atPath: Paths.mnistCSV.path)
        let run = try CLI.run(
            [
                "bench", "--models", "8", "--images", "12", "--images-one-worker", "6", "--latency-images", "3", "--repeats", "3",
                "--batch", "4", "--trained-models", "4", "--trained-epochs", "1", "--held-out", "12", "--daemon-images", "8",
                "--daemon-clients", "4", "--regions", "3000", "--storage-digits", "8", "--seconds", "0.01",
                "--cache", directory.file("cache"), "--store-cache", directory.file("store"),
                "--storage-model-set", Paths.packageRoot.appendingPathComponent("model/mnist/onepixel/sigma1.25").path,
                "--torch-python", "/bin/false", "--json",
            ], environment: ProcessEnvironment.current.merging(["CERTSSB_SHARED": PackagePaths.shared.path]) { $1 }, timeout: 1200)
        #expect(run.exited(0), "\(run.summary)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let skipped = try #require(report["skipped"] as? [String: String])
        for key in Self.issueKeys {
            if key == "blas_kernel" {
                #expect(!((report[key] as? String) ?? "").isEmpty)
            } else if let median = report[key] as? Double {
                let low = try #require(report[key + "_min"] as? Double, "\(key)_min")
                let high = try #require(report[key + "_max"] as? Double, "\(key)_max")
                #expect(
                    median.isFinite && low.isFinite && high.isFinite && low <= median && median <= high, "\(key): \(low) \(median) \(high)")
            } else {
                #expect(report[key] is NSNull && !(skipped[key] ?? "").isEmpty, "\(key) is neither a number nor skipped with a reason")
            }
        }
        // What must have been measured: everything but the 10⁶-region store (3000 here) and,
        // without ../shared, the trained set and the storage-update.
        let measuredAlways = [
            "images_per_s", "latency_ms_p50", "latency_ms_p99", "sgemm_gflops", "engine_gflops", "scaling_2_over_1",
            "daemon_images_per_s", "weights_mb", "rss_mb", "memory_gbps", "peak_rss_mb",
        ]
        let measuredWithShared = [
            "images_per_s_real", "images_per_s_target", "accuracy_real", "accuracy_target", "model_runs_per_image_real",
            "model_runs_per_image_target", "latency_ms_p50_target", "daemon_images_per_s_default", "storage_update_ms_3000",
            "storage_update_brute_ms_3000", "region_index_mb_3000",
        ]
        for key in measuredAlways + (shared ? measuredWithShared : []) {
            #expect((report[key] as? Double).map { $0 >= 0 } == true, "\(key) was not measured: \(skipped[key] ?? "")")
        }
        #expect(report["storage_update_ms_1e6"] is NSNull)
        #expect((skipped["torch_vmap_latency_ms_p50"] ?? "").contains("cannot import torch"))
        #expect(((report["torch_command"] as? String) ?? "").contains("bench-torch-vmap.py"))

        let targets = try #require(report["targets"] as? [String: [String: Any]])
        #expect(targets.count == 12, "\(targets.keys.sorted())")
        for (name, t) in targets {
            #expect(t["threshold"] is Double && t["rule"] is String, "\(name)")
            #expect(t["pass"] is Bool || (t["pass"] is NSNull && t["missing"] is String), "\(name): \(t)")
        }
        // Ratios of this run's medians.
        let engine = try #require(report["engine_gflops"] as? Double), sgemm = try #require(report["sgemm_gflops"] as? Double)
        let ratio = try #require(targets["engine_vs_sgemm"]?["ratio"] as? Double)
        #expect(abs(ratio - engine / sgemm) <= 1e-9 * max(1, ratio))
        #expect(targets["latency_vs_torch_vmap"]?["pass"] is NSNull)

        let machine = try #require(report["machine"] as? [String: Any])
        #expect(!((machine["openBLASCore"] as? String) ?? "").isEmpty)
        #expect(!((machine["cpu"] as? String) ?? "").isEmpty)
        #expect((machine["logicalCores"] as? Int ?? 0) >= 1)
        #expect(((machine["cpuFlags"] as? [String]) ?? []).contains { $0.hasPrefix("sse") })
    }

    /// Without --json the same figures and targets print as a table.
    @Test func benchTablePrintsTheFiguresAndTheTargets() throws {
        let directory = try TemporaryDirectory("bench-table")
        defer { directory.remove() }
        let run = try CLI.run(
            [
                "bench", "--models", "4", "--images", "4", "--images-one-worker", "2", "--latency-images", "2", "--repeats", "1",
                "--batch", "2", "--daemon-images", "4", "--seconds", "0.01", "--cache", directory.file("cache"),
                "--skip", "trained,storage,torch",
            ], timeout: 600)
        #expect(run.exited(0), "\(run.summary)")
        for text in ["openblas  kernel", "images_per_s", "daemon_images_per_s", "skipped by --skip trained", "targets", "engine_vs_sgemm"] {
            #expect(run.out.contains(text), "\(text)")
        }
    }

    /// The PyTorch script parses (it runs only where torch is installed).
    @Test func torchScriptIsValidPython() throws {
        let script = Paths.packageRoot.appendingPathComponent("scripts/bench-torch-vmap.py").path
        let run = try CLI.run(
            program: "/usr/bin/env", ["python3", "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", script], timeout: 60)
        #expect(run.exited(0), "\(run.summary)")
    }

    /// The storage-update benchmark on a tiny store: every key issue 10 names, and the index
    /// decided exactly as the brute force.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: Paths.mnistCSV.path), "skipped: no mnist_5k.csv.gz under ../shared/data"))
    func storageUpdateBenchReportsTheIssueKeys() throws {
        let cache = NSTemporaryDirectory() + "bench-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let set = Paths.packageRoot.appendingPathComponent("model/mnist/onepixel/sigma1.25").path
        let arguments = [
            "bench", "--storage-update", "--regions", "3000", "--storage-digits", "8", "--store-cache", cache,
            "--storage-model-set", set, "--training-data", Paths.mnistCSV.path, "--workers", "1", "--json",
        ]
        for pass in 0..<2 {  // the second run reuses the cached verdicts and store
            let run = try CLI.run(arguments, timeout: 600)
            #expect(run.exited(0), "\(run.summary)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
            for key in ["storage_update_ms_3000", "storage_update_brute_ms_3000", "region_index_mb_3000", "storage_update_single_ms_3000"] {
                #expect((report[key] as? Double ?? 0) > 0, "\(key)")
            }
            #expect(report["storage_update_survivor_fraction_3000"] as? Double != nil)
            #expect(report["storage_update_decisions_identical"] as? Bool == true)
            #expect(report["storage_update_store_built_now"] as? Bool == (pass == 0))
            let machine = try #require(report["machine"] as? [String: Any])
            let core = machine["openBLASCore"] as? String ?? ""
            #expect(!core.isEmpty)
        }
    }
}
