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
        let run = try CLI.run(["bench", "--models", "3", "--batch", "2", "--seconds", "0.01", "--workers", "1,2",
                               "--cache", cache, "--json"], timeout: 300)
        #expect(run.exited(0), "\(run.summary)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let machine = try #require(report["machine"] as? [String: Any])
        #expect(!((machine["openBLASCore"] as? String) ?? "").isEmpty)
        #expect(!((machine["cpu"] as? String) ?? "").isEmpty)
        let gemm = try #require(report["gemm"] as? [[String: Any]])
        #expect(gemm.count >= 3 && gemm.allSatisfy { ($0["gflops"] as? Double ?? 0) > 0 })
        let certify = try #require(report["certify"] as? [[String: Any]])
        #expect(certify.map { $0["workers"] as? Int } == [1, 2])
        #expect(certify.allSatisfy { ($0["imagesPerSecond"] as? Double ?? 0) > 0 && ($0["models"] as? Int) == 2 }, "3 models: 1 search, 2 certify")
        // The daemon's pipeline: every upload answered, with the three shipped plugins' reports.
        let pipeline = try #require(report["daemonPipeline"] as? [String: Any])
        #expect(pipeline["images"] as? Int == 2 && pipeline["workers"] as? Int == 2 && pipeline["plugins"] as? Int == 3, "\(pipeline)")
        #expect((pipeline["imagesPerSecond"] as? Double ?? 0) > 0)
    }
}
