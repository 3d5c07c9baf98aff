import CertTestSupport
import Foundation
import Testing

/// `certssb bench` runs end to end and says where it ran. No figure is asserted beyond
/// being a positive number: timings belong in benchmarks, not tests.
@Suite(.blockingWork) struct BenchTests {
    @Test func benchReportsMachineKernelAndEveryMeasurement() throws {
        let directory = try TemporaryDirectory("bench")
        defer { directory.remove() }
        let cache = directory.file("cache")
        let run = try CLI.run(
            [
                "bench", "--models", "3", "--batch", "2", "--seconds", "0.01", "--workers", "1,2",
                "--cache", cache, "--json",
            ], timeout: 300)
        #expect(run.exited(0), "\(run.summary)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let machine = try #require(report["machine"] as? [String: Any])
        #expect(!((machine["openBLASCore"] as? String) ?? "").isEmpty)
        #expect(!((machine["cpu"] as? String) ?? "").isEmpty)
        let gemm = try #require(report["gemm"] as? [[String: Any]])
        #expect(gemm.count >= 3 && gemm.allSatisfy { ($0["gflops"] as? Double ?? 0) > 0 })
        let certify = try #require(report["certify"] as? [[String: Any]])
        #expect(certify.map { $0["workers"] as? Int } == [1, 2])
        #expect(
            certify.allSatisfy { ($0["imagesPerSecond"] as? Double ?? 0) > 0 && ($0["models"] as? Int) == 2 },
            "3 models: 1 search, 2 certify")
        // The daemon's pipeline: every upload answered, with the three shipped plugins' reports.
        let pipeline = try #require(report["daemonPipeline"] as? [String: Any])
        #expect(pipeline["images"] as? Int == 2 && pipeline["workers"] as? Int == 2 && pipeline["plugins"] as? Int == 3, "\(pipeline)")
        #expect((pipeline["imagesPerSecond"] as? Double ?? 0) > 0)
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
