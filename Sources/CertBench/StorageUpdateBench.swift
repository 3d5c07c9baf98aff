import CertCore
import CertLedger
import Certify
import Foundation

/// The storage-update at scale (`certssb bench --storage-update`): the region index against the
/// brute force it replaced (`BruteForceRegions`), on one cached store, in one run, deciding the
/// same micro-batch of 64 inputs and the same single input; their decisions must be equal.
public enum StorageUpdateBench {
    /// One run's timings, sizes and screen fractions (`certssb bench --storage-update` prints and
    /// records them); times are wall-clock on one BLAS thread.
    public struct Result: Sendable {
        /// Regions in the store, n.
        public var regions: Int
        /// The store's labels were shuffled (`BenchRegionStore.Parameters.shuffled`).
        public var shuffled: Bool
        /// D, values per input.
        public var dimension: Int
        /// Inputs in the micro-batch: every item but the last (64 in the README's run).
        public var batch: Int
        /// The index deciding the whole micro-batch, mean ms of `repeats` runs.
        public var batchMs: Double
        /// The index deciding the last item alone, mean ms of 2 × `repeats` runs.
        public var singleMs: Double
        /// The first batch after the index was built (its survivors' pages may be cold).
        public var firstBatchMs: Double
        /// The brute force deciding the batch one input at a time, ms of one run.
        public var bruteBatchMs: Double
        /// The brute force deciding the last item alone, mean ms of `repeats` runs.
        public var bruteSingleMs: Double
        /// The index's `memoryBytes` (feature blocks and resident regions), in MB (10⁶ bytes).
        public var indexMB: Double
        /// The brute force's `memoryBytes`, in MB.
        public var bruteMB: Double
        /// Survivors of the screen (exact distances computed) per pair (input, stored region of
        /// another label), in the batch.
        public var survivorFraction: Double
        /// The same for the last item decided alone.
        public var singleSurvivorFraction: Double
        /// Pairs past the block thresholds, before the per-pair bound.
        public var pastThresholdFraction: Double
        /// Exact fixed-order distances taken in the batch, per pair.
        public var exactFraction: Double
        /// Seconds to load the index from the store (fit the projection, stream every region).
        public var indexLoadSeconds: Double
        /// Seconds to stream the store into the brute force's float64 rows.
        public var bruteLoadSeconds: Double
        /// Seconds the store took to write, maybe in an earlier run (`BenchRegionStore`).
        public var storeBuildSeconds: Double
        /// True when this run wrote the store; false when it was cached.
        public var storeBuiltNow: Bool
        /// The seed of the index's projection (`RegionProjection.seed`).
        public var projectionSeed: UInt64
        /// Features per region of the index's projection (`RegionProjection.rank`).
        public var projectionRank: Int
        /// How many of the batch's decisions were each outcome ("stored", "trimmed", "aligned").
        public var outcomes: [String: Int]
        /// True when the index decided the batch and the item alone exactly as the brute force did.
        public var decisionsIdentical: Bool
        /// Each run's ms of the index on the batch, the index alone, the brute force on the
        /// batch and the brute force alone (the means above are of these).
        public var batchRunsMs: [Double] = [], singleRunsMs: [Double] = [], bruteBatchRunsMs: [Double] = [],
            bruteSingleRunsMs: [Double] = []
    }

    /// Runs the comparison on `store`'s regions with `items` (the batch, then one more alone).
    public static func run(
        store: BenchRegionStore, items all: [StorageUpdate.Item], dimension: Int,
        repeats: Int = 3, bruteBatchRepeats: Int = 1, progress: (String) -> Void
    ) throws -> Result {
        precondition(all.count >= 2)
        BLAS.useSingleThread()
        let batch = Array(all.dropLast()), single = [all.last!]
        let n = try store.store.regionCount()

        progress("loading the region index from the store...")
        var t0 = Stopwatch.now()
        let index = try RegionIndex(dimension: dimension, archive: StoreRegionArchive(store: store.store))
        let indexLoad = Stopwatch.now() - t0
        progress(String(format: "  %.1f s, %.1f MB; deciding...", indexLoad, Double(index.memoryBytes) / 1e6))

        var batchCounts = RegionIndex.ScreenCounts(), singleCounts = RegionIndex.ScreenCounts()
        func decide(_ items: [StorageUpdate.Item], _ counts: inout RegionIndex.ScreenCounts) throws -> [StorageUpdate.Decision] {
            defer { index.truncate(to: n) }
            return try StorageUpdate.decideBatch(items, index: index, counts: &counts)
        }
        t0 = Stopwatch.now()
        let decided = try decide(batch, &batchCounts)
        let firstBatch = Stopwatch.now() - t0
        let decidedAlone = try decide(single, &singleCounts)
        var scratch = RegionIndex.ScreenCounts()
        let batchTimes = try times(repeats) { _ = try decide(batch, &scratch) }
        let singleTimes = try times(2 * repeats) { _ = try decide(single, &scratch) }

        progress("loading the brute force (every input as float64 in RAM, \(8 * n * dimension / 1_000_000) MB)...")
        t0 = Stopwatch.now()
        let brute = BruteForceRegions(dimension: dimension, capacity: n + batch.count)  // no reallocation mid-batch
        try store.store.forEachRegion { view in
            brute.append(
                sha256: view.sha256, label: view.label, radius: view.radius,
                input: (0..<view.inputCount).lazy.map {
                    Float(bitPattern: UInt32(littleEndian: view.input.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                })
        }
        let bruteLoad = Stopwatch.now() - t0
        progress(String(format: "  %.1f s; deciding the batch one input at a time...", bruteLoad))
        var bruteDecided: [StorageUpdate.Decision] = []
        let bruteBatchTimes = try times(bruteBatchRepeats) {
            bruteDecided = try brute.decideSequentially(batch)
            brute.truncate(to: n)
        }
        var bruteAlone: [StorageUpdate.Decision] = []
        let bruteSingleTimes = try times(repeats) {
            bruteAlone = try brute.decideSequentially(single)
            brute.truncate(to: n)
        }

        func mean(_ t: [Double]) -> Double { t.reduce(0, +) / Double(t.count) }
        let batchTime = mean(batchTimes), singleTime = mean(singleTimes)
        let bruteBatch = mean(bruteBatchTimes), bruteSingle = mean(bruteSingleTimes)
        var outcomes: [String: Int] = [:]
        for d in decided { outcomes[d.region.status, default: 0] += 1 }
        return Result(
            regions: n, shuffled: store.parameters.shuffled, dimension: dimension, batch: batch.count,
            batchMs: batchTime * 1e3, singleMs: singleTime * 1e3, firstBatchMs: firstBatch * 1e3,
            bruteBatchMs: bruteBatch * 1e3, bruteSingleMs: bruteSingle * 1e3,
            indexMB: Double(index.memoryBytes) / 1e6, bruteMB: Double(brute.memoryBytes) / 1e6,
            survivorFraction: Double(batchCounts.survivors) / Double(max(batchCounts.pairs, 1)),
            singleSurvivorFraction: Double(singleCounts.survivors) / Double(max(singleCounts.pairs, 1)),
            pastThresholdFraction: Double(batchCounts.pastThreshold) / Double(max(batchCounts.pairs, 1)),
            exactFraction: Double(batchCounts.exact) / Double(max(batchCounts.pairs, 1)),
            indexLoadSeconds: indexLoad, bruteLoadSeconds: bruteLoad,
            storeBuildSeconds: store.buildSeconds, storeBuiltNow: store.builtNow,
            projectionSeed: index.projection.seed, projectionRank: index.projection.rank,
            outcomes: outcomes, decisionsIdentical: decided == bruteDecided && decidedAlone == bruteAlone,
            batchRunsMs: batchTimes.map { $0 * 1e3 }, singleRunsMs: singleTimes.map { $0 * 1e3 },
            bruteBatchRunsMs: bruteBatchTimes.map { $0 * 1e3 }, bruteSingleRunsMs: bruteSingleTimes.map { $0 * 1e3 })
    }

    /// Seconds of each of `repeats` runs.
    static func times(_ repeats: Int, _ body: () throws -> Void) throws -> [Double] {
        try (0..<max(repeats, 1)).map { _ in
            let t0 = Stopwatch.now()
            try body()
            return Stopwatch.now() - t0
        }
    }
}
