import CertCore
import Foundation

/// Runs every model of an ensemble on a micro-batch of images.
///
/// Models are split into contiguous ranges, one per worker; each worker walks its models
/// and, for each, the batch in tiles of `Linear.tileWidth` (64) images, so a model's weights
/// are read once per tile while hot in cache. Batches of at most `streamedBatchLimit` images
/// (single uploads, latency) over at least `streamedModelMinimum` models instead hand out each
/// model's convolutions and fully connected layers as separate tasks (`TrunkHeadQueue`), so
/// one worker streams head weights while the other convolves. Each (image, model) logit is written to its own
/// cell, and every product has a fixed order of operations per image (see `Linear`), so the
/// result is the same bit for bit for any worker count, batch size or position in the batch.
///
/// `@unchecked Sendable`: the stored properties are `let`s; each workspace belongs to one worker
/// index, and `WorkerPool.run` serialises whole calls, so no workspace is used by two threads at
/// once. Workers write disjoint cells of the result.
public final class NoiseBatchScheduler: @unchecked Sendable {
    /// The models it runs.
    public let ensemble: Ensemble
    private let pool: WorkerPool
    private let workspaces: [Workspace]
    private let tally = NSLock()
    private var passesRun = 0
    private var modelRunsRun = 0
    private let streamedModelMinimum: Int

    /// Scheduler passes so far (calls of `logits`), and model runs (one model on one input).
    /// Diagnostics: they show what shares a pass (tests) and what a certificate cost (bench).
    public var counts: (passes: Int, modelRuns: Int) {
        tally.lock()
        defer { tally.unlock() }
        return (passesRun, modelRunsRun)
    }

    /// Worker threads: at most the number of models.
    public var workers: Int { pool.count }

    /// A scheduler with `workers` threads (capped at the model count), each with its own workspace;
    /// sets OpenBLAS to one thread.
    public convenience init(ensemble: Ensemble, workers: Int) {
        self.init(ensemble: ensemble, workers: workers, streamedModelMinimum: Self.streamedModelMinimum)
    }

    /// The same with the trunk-and-head split taken from `streamedModelMinimum` models on
    /// (tests use it to run the split on small sets).
    init(ensemble: Ensemble, workers: Int, streamedModelMinimum: Int) {
        BLAS.useSingleThread()
        self.streamedModelMinimum = streamedModelMinimum
        self.ensemble = ensemble
        let workers = max(1, min(workers, ensemble.count))
        pool = WorkerPool(workers: workers)
        workspaces = (0..<workers).map { _ in ensemble.makeWorkspace() }
    }

    /// Logits of every model on every image, model m's input being x + scales[i]·z_m.
    /// Result layout: `[image][model * outputs + o]`.
    public func logits(images: [PreparedImage], scales: [Float]) -> [[Float]] {
        logits(images: images, scales: scales, models: 0..<ensemble.count)
    }

    /// The same for the models in `models` only (early stopping runs the ensemble in blocks):
    /// `[image][(m - models.lowerBound) * outputs + o]`. A model's logits do not depend on
    /// which other models ran with it.
    public func logits(images: [PreparedImage], scales: [Float], models range: Range<Int>) -> [[Float]] {
        precondition(images.count == scales.count && range.lowerBound >= 0 && range.upperBound <= ensemble.count)
        let models = range.count, outputs = ensemble.outputs
        let stride = models * outputs
        guard !images.isEmpty, models > 0 else { return images.map { _ in [] } }
        tally.lock()
        passesRun += 1
        modelRunsRun += images.count * models
        tally.unlock()
        let cells = UnsafeMutableBufferPointer<Float>.allocate(capacity: images.count * stride)
        defer { cells.deallocate() }
        let write = { (image: Int, m: Int, logits: UnsafePointer<Float>) in
            let base = image * stride + (m - range.lowerBound) * outputs
            for o in 0..<outputs { cells[base + o] = logits[o] }
        }
        if images.count <= Self.streamedBatchLimit && models >= streamedModelMinimum && pool.count > 1 {
            runTrunksAheadOfHeads(images: images, scales: scales, models: range, write: write)
        } else {
            runModelRanges(images: images, scales: scales, models: range, write: write)
        }
        return (0..<images.count).map { i in Array(cells[(i * stride)..<((i + 1) * stride)]) }
    }

    /// Batches of at most this many images run each model's trunk and head as separate tasks
    /// (`TrunkHeadQueue`): there the head streams its weights for few images and the memory,
    /// not arithmetic, bounds it. Larger batches reuse each head row across their images from
    /// cache and run model by model (`runModelRanges`).
    static let streamedBatchLimit = 4

    /// The fewest models a batch runs on the trunk-and-head split: a short range (early
    /// stopping's blocks of 16, the search models' label pass) is mostly the queue's start,
    /// where both workers convolve, and its end, where both stream; measured in target mode
    /// (blocks of 16) the split was no faster than model ranges and perhaps 5% slower.
    static let streamedModelMinimum = 64

    /// Each worker runs its contiguous range of models, each model on the batch tile by tile.
    private func runModelRanges(
        images: [PreparedImage], scales: [Float], models range: Range<Int>,
        write: @escaping (Int, Int, UnsafePointer<Float>) -> Void
    ) {
        let ranges = Self.partition(range.count, into: pool.count).map {
            ($0.lowerBound + range.lowerBound)..<($0.upperBound + range.lowerBound)
        }
        pool.run { [ensemble, workspaces] worker in
            let ws = workspaces[worker]
            for m in ranges[worker] {
                var start = 0
                while start < images.count {
                    let last = min(start + Linear.tileWidth, images.count)
                    ensemble.forward(model: m, images: images[start..<last], scales: scales[start..<last], workspace: ws) {
                        write(start + $0, m, $1)
                    }
                    start = last
                }
            }
        }
    }

    /// The workers take models' trunks and heads from one `TrunkHeadQueue`, so one streams a
    /// head's weights while the other convolves. Features wait in `features` between the two.
    private func runTrunksAheadOfHeads(
        images: [PreparedImage], scales: [Float], models range: Range<Int>,
        write: @escaping (Int, Int, UnsafePointer<Float>) -> Void
    ) {
        let width = ensemble.plan.features * images.count
        let features = UnsafeMutableBufferPointer<Float>.allocate(capacity: width * range.count)
        defer { features.deallocate() }
        let queue = SharedQueue(TrunkHeadQueue(count: range.count))
        pool.run { [ensemble, workspaces] worker in
            let ws = workspaces[worker]
            var task = queue.next(after: nil)
            while task != .done {
                switch task {
                case let .trunk(i):
                    ensemble.trunk(
                        model: range.lowerBound + i, images: images[...], scales: scales[...], workspace: ws,
                        features: features.baseAddress! + i * width)
                case let .head(i):
                    ensemble.head(
                        model: range.lowerBound + i, features: features.baseAddress! + i * width, images: images.count, workspace: ws
                    ) { write($0, range.lowerBound + i, $1) }
                case .wait, .done: break
                }
                task = queue.next(after: task)
            }
        }
    }

    /// Contiguous, nearly equal model ranges, one per worker.
    static func partition(_ n: Int, into parts: Int) -> [Range<Int>] {
        (0..<parts).map { p in (p * n / parts)..<((p + 1) * n / parts) }
    }
}

/// A `TrunkHeadQueue` shared by the workers of one batch: a condition variable's lock around
/// it, and a wait while the next head's trunk is still running elsewhere.
///
/// `@unchecked Sendable`: `queue` is read and written only with `condition` locked.
private final class SharedQueue: @unchecked Sendable {
    private var queue: TrunkHeadQueue
    private let condition = NSCondition()

    init(_ queue: TrunkHeadQueue) { self.queue = queue }

    /// Records `finished` (nil at a worker's start) and takes the worker's next task, waiting
    /// while there is none yet; never returns `.wait`.
    func next(after finished: TrunkHeadQueue.Task?) -> TrunkHeadQueue.Task {
        condition.lock()
        defer { condition.unlock() }
        if let finished {
            queue.finish(finished)
            condition.broadcast()
        }
        while true {
            let task = queue.take()
            if task != .wait { return task }
            condition.wait()
        }
    }
}
