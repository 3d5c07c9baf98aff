import CertCore
import CertTestSupport
import Foundation
import Testing

@testable import CertScheduler

@Suite struct SchedulerTests {
    static func ensemble(models: Int) throws -> Ensemble {
        let directory = try TemporaryDirectory("sched")
        defer { directory.remove() }
        let dir = directory.path
        try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: models, seed: 5)
        return Ensemble(modelSet: try ModelSet.load(directory: dir))
    }

    static func images(_ n: Int) -> [[Float]] {
        (0..<n).map { i in GaussianNoise(seed: 900 + UInt32(i)).draws(count: 784).map { min(max(0.5 + 0.3 * $0, 0), 1) } }
    }

    @Test func everyWorkerCountAndBatchSplitGivesTheSameBits() throws {
        let ensemble = try Self.ensemble(models: 5)
        let pixels = Self.images(19)  // more than one tile, with a partial tile
        let scales = (0..<19).map { Float($0 % 4) * 0.1 }
        let prepared = pixels.map(ensemble.prepare)
        let reference = NoiseBatchScheduler(ensemble: ensemble, workers: 1).logits(images: prepared, scales: scales)
        for workers in [2, 3, 5] {
            #expect(NoiseBatchScheduler(ensemble: ensemble, workers: workers).logits(images: prepared, scales: scales) == reference)
        }
        let two = NoiseBatchScheduler(ensemble: ensemble, workers: 2)
        for split in [1, 4, 7] {
            var pieces: [[Float]] = []
            var start = 0
            while start < prepared.count {
                let end = min(start + split, prepared.count)
                pieces += two.logits(images: Array(prepared[start..<end]), scales: Array(scales[start..<end]))
                start = end
            }
            #expect(pieces == reference, "batches of \(split)")
        }
    }

    /// Each cell must be model m's own forward pass on image i, not a neighbour's.
    @Test func cellsHoldTheRightModelAndImage() throws {
        let ensemble = try Self.ensemble(models: 4)
        let pixels = Self.images(3)
        let prepared = pixels.map(ensemble.prepare)
        let logits = NoiseBatchScheduler(ensemble: ensemble, workers: 2).logits(images: prepared, scales: [0, 0.2, 0.4])
        let ws = ensemble.makeWorkspace()
        for m in 0..<4 {
            for i in 0..<3 {
                var direct: Float = .nan
                ensemble.forward(model: m, images: prepared[i...i], scales: [[0, 0.2, 0.4][i]][...], workspace: ws) { _, p in direct = p[0]
                }
                #expect(logits[i][m] == direct)
            }
        }
        #expect(Set(logits.flatMap { $0 }).count == 12)
    }

    /// Few images over a range of models take the trunk-ahead-of-head split (forced here from
    /// 1 model on): the same bits as the 1-worker model-by-model run, for the whole set and
    /// for blocks (early stopping's), with 2 and 3 workers, and alone or in pairs.
    @Test func theTrunkAndHeadSplitGivesTheModelByModelBits() throws {
        let ensemble = try Self.ensemble(models: 7)
        let prepared = Self.images(3).map(ensemble.prepare)
        let scales: [Float] = [0.1, 0.3, 0]
        let full = NoiseBatchScheduler(ensemble: ensemble, workers: 1).logits(images: prepared, scales: scales)
        for workers in [2, 3] {
            let scheduler = NoiseBatchScheduler(ensemble: ensemble, workers: workers, streamedModelMinimum: 1)
            for block in [0..<7, 2..<5, 6..<7] {
                let part = scheduler.logits(images: prepared, scales: scales, models: block)
                #expect(part == full.map { Array($0[block]) }, "\(workers) workers, models \(block)")
                let alone = scheduler.logits(images: [prepared[1]], scales: [0.3], models: block)
                #expect(alone == [Array(full[1][block])])
            }
        }
    }

    @Test func poolRunsEveryWorkerOncePerJob() {
        let pool = WorkerPool(workers: 3)
        let lock = NSLock()
        for round in 0..<50 {
            var seen: [Int] = []
            pool.run { w in
                lock.lock(); seen.append(w); lock.unlock()
            }
            #expect(seen.sorted() == [0, 1, 2], "round \(round)")
        }
    }

    @Test func emptyBatchReturnsNothing() throws {
        let ensemble = try Self.ensemble(models: 2)
        #expect(NoiseBatchScheduler(ensemble: ensemble, workers: 2).logits(images: [], scales: []).isEmpty)
    }
}
