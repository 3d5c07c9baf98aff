import CertCore
import CertScheduler

/// The engine's promise, checked: an image's logits do not depend on which images shared
/// its batch, where it sat in its tile, or how many workers ran the batch.
///
/// `certssb invariance` runs this under whatever OpenBLAS kernel the process got, so a test
/// can run it once per `OPENBLAS_CORETYPE` the CPU supports (Tests/CLITests/KernelInvarianceTests).
public enum BatchInvariance {
    /// One logit that differed in any bit from the same image computed alone.
    public struct Mismatch: Codable, Sendable, CustomStringConvertible {
        /// Which comparison ("tile position 3", "batch of 20, 2 worker(s)").
        public var check: String
        /// The model index.
        public var model: Int
        /// The image index.
        public var image: Int
        /// The logit computed alone.
        public var expected: Float
        /// The logit in the batch or tile.
        public var got: Float
        /// One line naming the check, model, image and both values.
        public var description: String { "\(check): model \(model) image \(image): \(got) != \(expected) alone" }
    }

    /// The outcome of `check`, as `certssb invariance` prints it (JSON).
    public struct Report: Codable, Sendable {
        /// The OpenBLAS kernel the process ran (`BLAS.coreName`).
        public var blasKernel: String
        /// How many logit vectors were compared.
        public var comparisons: Int
        /// Every difference; empty when the promise holds.
        public var mismatches: [Mismatch]
        /// The storage-update's decisions under this kernel (`StorageUpdateInvariance`).
        public var storageUpdate: StorageUpdateInvariance.Report?
        enum CodingKeys: String, CodingKey { case blasKernel = "blas_kernel", comparisons, mismatches, storageUpdate = "storage_update" }
    }

    /// Compares every image of `images` (with its noise scale) computed alone against:
    /// each rotation of a full tile (every image at every tile position), and whole batches
    /// through the scheduler with 1 and 2 workers (partial tiles included).
    public static func check(_ ensemble: Ensemble, images: [[Float]], scales: [Float]) -> Report {
        precondition(images.count == scales.count && !images.isEmpty)
        let prepared = images.map(ensemble.prepare)
        let outputs = ensemble.outputs
        var mismatches: [Mismatch] = []
        var comparisons = 0
        let ws = ensemble.makeWorkspace()

        func run(_ model: Int, _ order: [Int]) -> [[Float]] {
            var out = [[Float]](repeating: [], count: order.count)
            ensemble.forward(
                model: model, images: order.map { prepared[$0] }[...], scales: order.map { scales[$0] }[...],
                workspace: ws
            ) { t, p in out[t] = Array(UnsafeBufferPointer(start: p, count: outputs)) }
            return out
        }
        func compare(_ check: String, _ model: Int, _ image: Int, _ got: [Float], _ alone: [Float]) {
            comparisons += 1
            for (g, e) in zip(got, alone) where g.bitPattern != e.bitPattern {
                mismatches.append(Mismatch(check: check, model: model, image: image, expected: e, got: g))
            }
        }

        let tile = min(Linear.tileWidth, images.count)
        var alone: [[[Float]]] = []  // [model][image][output]
        for m in 0..<ensemble.count {
            let single = images.indices.map { run(m, [$0])[0] }
            alone.append(single)
            for r in 0..<tile {
                let order = (0..<tile).map { ($0 + r) % tile }
                for (position, logits) in run(m, order).enumerated() {
                    compare("tile position \(position)", m, order[position], logits, single[order[position]])
                }
            }
        }
        for workers in [1, 2] {
            let scheduler = NoiseBatchScheduler(ensemble: ensemble, workers: workers)
            let batch = scheduler.logits(images: prepared, scales: scales)
            for (i, row) in batch.enumerated() {
                for m in 0..<ensemble.count {
                    compare(
                        "batch of \(images.count), \(workers) worker(s)", m, i, Array(row[(m * outputs)..<((m + 1) * outputs)]), alone[m][i]
                    )
                }
            }
        }
        return Report(blasKernel: BLAS.coreName, comparisons: comparisons, mismatches: mismatches)
    }
}
