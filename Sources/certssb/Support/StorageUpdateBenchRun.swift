import CertBench
import CertCore
import CertData
import Certify
import Foundation

/// `certssb bench --storage-update`: builds (once) the cached store of `regions` regions from
/// mnist_5k and real verdicts, then times the region index against the brute force.
struct StorageUpdateBenchRun {
    var regions: Int
    var cache: String
    var modelSet: String
    var data: String
    var digits: Int?
    var jitter: Float
    var seed: UInt64
    var shuffled: Bool
    var workers: Int
    /// Runs of the brute force on the whole batch (each takes seconds at 10⁶ regions).
    var bruteBatchRepeats = 1

    /// The cache root: $XDG_CACHE_HOME/certssb/bench, else ~/.cache/certssb/bench.
    static var defaultCache: String {
        let env = ProcessInfo.processInfo.environment
        let base =
            env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        return (base as NSString).appendingPathComponent("certssb/bench")
    }

    func run() throws -> StorageUpdateBench.Result {
        func say(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
        let set: ModelSet
        let images: [[Float]]
        do {
            set = try ModelSet.load(directory: modelSet, verifyChecksums: false)
            images = Array(try MNISTCSV.load(path: data).images.map(\.pixels).prefix(digits ?? .max))
        } catch { throw CLIFailure(error) }
        let dimension = set.manifest.inputShape.count
        guard images.first?.count == dimension else {
            throw CLIFailure("\(data): images have \(images.first?.count ?? 0) values, \(modelSet) expects \(dimension)")
        }
        let verdictFile = (cache as NSString).appendingPathComponent("verdicts-\(set.id.prefix(12))-\(images.count).json")
        let verdicts = try BenchVerdicts.load(file: verdictFile, modelSet: set, images: images, workers: workers, progress: say)
        let parameters = BenchRegionStore.Parameters(
            regions: regions, seed: seed, jitter: jitter, modelSetID: set.id, digits: images.count,
            shuffled: shuffled)
        let store = try BenchRegionStore.open(cache: cache, parameters: parameters, digits: images, verdicts: verdicts, progress: say)
        defer { store.store.close() }
        let items = BenchRegionStore.items(65, parameters: parameters, digits: images, verdicts: verdicts, stream: 1).map {
            StorageUpdate.Item(input: $0.input, label: $0.label, radius: $0.radius, sha256: $0.sha256)
        }
        return try StorageUpdateBench.run(
            store: store, items: items, dimension: dimension, bruteBatchRepeats: bruteBatchRepeats, progress: say)
    }
}

extension StorageUpdateBench.Result {
    /// "1e6" for 1000000, "1e5" for 100000, else the number: the suffix of the JSON keys.
    var regionsLabel: String { Self.label(regions: regions) }

    /// The suffix for `regions` regions (`regionsLabel`).
    static func label(regions: Int) -> String {
        var n = regions, e = 0
        while n >= 10 && n % 10 == 0 { n /= 10; e += 1 }
        return n == 1 && e > 0 ? "1e\(e)" : String(regions)
    }

    /// The keys `certssb bench --json` reports (names as issue 10 asks for them).
    var jsonFields: [String: Any] {
        let s = regionsLabel
        return [
            "storage_update_ms_\(s)": batchMs,
            "storage_update_single_ms_\(s)": singleMs,
            "storage_update_first_batch_ms_\(s)": firstBatchMs,
            "storage_update_brute_ms_\(s)": bruteBatchMs,
            "storage_update_brute_single_ms_\(s)": bruteSingleMs,
            "region_index_mb_\(s)": indexMB,
            "region_brute_mb_\(s)": bruteMB,
            "storage_update_survivor_fraction_\(s)": survivorFraction,
            "storage_update_single_survivor_fraction_\(s)": singleSurvivorFraction,
            "storage_update_past_threshold_fraction_\(s)": pastThresholdFraction,
            "storage_update_exact_fraction_\(s)": exactFraction,
            "storage_update_regions": regions,
            "storage_update_shuffled_labels": shuffled,
            "storage_update_batch": batch,
            "storage_update_index_load_s": indexLoadSeconds,
            "storage_update_brute_load_s": bruteLoadSeconds,
            "storage_update_store_build_s": storeBuildSeconds,
            "storage_update_store_built_now": storeBuiltNow,
            "storage_update_projection_seed": String(projectionSeed),
            "storage_update_projection_rank": projectionRank,
            "storage_update_outcomes": outcomes,
            "storage_update_decisions_identical": decisionsIdentical,
        ]
    }

    func printTable() {
        print(
            "\nstorage-update, \(regions) regions of \(dimension) values (mnist_5k + jitter, \(shuffled ? "shuffled" : "their digits'") real verdicts), one thread"
        )
        print(
            String(
                format: "  batch of %d: index %9.1f ms   brute force %10.1f ms   (%.4fx)", batch, batchMs, bruteBatchMs,
                batchMs / bruteBatchMs))
        print(
            String(
                format: "  one input:   index %9.1f ms   brute force %10.1f ms   (%.4fx)", singleMs, bruteSingleMs, singleMs / bruteSingleMs
            ))
        print(
            String(
                format: "  first batch after load %.1f ms; index loaded in %.1f s, brute force in %.1f s", firstBatchMs, indexLoadSeconds,
                bruteLoadSeconds))
        print(String(format: "  memory: index %.1f MB, brute force %.1f MB", indexMB, bruteMB))
        print(
            String(
                format:
                    "  survivors of the screen: %.3g of pairs in the batch (%.3g alone); %.3g past the block thresholds; %.3g got the exact distance",
                survivorFraction, singleSurvivorFraction, pastThresholdFraction, exactFraction))
        print(
            "  projection: rank \(projectionRank), seed 0x\(String(projectionSeed, radix: 16, uppercase: true)); outcomes \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
        )
        print("  decisions identical to the brute force: \(decisionsIdentical ? "yes" : "NO")")
        print(String(format: "  store built in %.0f s%@", storeBuildSeconds, storeBuiltNow ? " (this run)" : " (cached)"))
    }
}
