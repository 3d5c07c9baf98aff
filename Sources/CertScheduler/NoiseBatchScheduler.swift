import CertCore

/// Runs every model of an ensemble on a micro-batch of images.
///
/// Models are split into contiguous ranges, one per worker; each worker walks its models
/// and, for each, the batch in tiles of 16 images, so a model's weights are read once per
/// tile while hot in cache. Each (image, model) logit is written to its own cell, and every
/// product has a fixed shape (see `Linear`), so the result is the same bit for bit for any
/// worker count, batch size or position in the batch.
public final class NoiseBatchScheduler: @unchecked Sendable {
    public let ensemble: Ensemble
    private let pool: WorkerPool
    private let workspaces: [Workspace]

    public var workers: Int { pool.count }

    public init(ensemble: Ensemble, workers: Int) {
        BLAS.useSingleThread()
        self.ensemble = ensemble
        let workers = max(1, min(workers, ensemble.count))
        pool = WorkerPool(workers: workers)
        workspaces = (0..<workers).map { _ in ensemble.makeWorkspace() }
    }

    /// Logits of every model on every image, model m's input being x + scales[i]·z_m.
    /// Result layout: `[image][model * outputs + o]`.
    public func logits(images: [PreparedImage], scales: [Float]) -> [[Float]] {
        precondition(images.count == scales.count)
        let models = ensemble.count, outputs = ensemble.outputs
        let stride = models * outputs
        guard !images.isEmpty else { return [] }
        let cells = UnsafeMutableBufferPointer<Float>.allocate(capacity: images.count * stride)
        defer { cells.deallocate() }
        let ranges = Self.partition(models, into: pool.count)
        pool.run { [ensemble, workspaces] worker in
            let ws = workspaces[worker]
            for m in ranges[worker] {
                var first = 0
                while first < images.count {
                    let last = min(first + Linear.tileWidth, images.count)
                    ensemble.forward(model: m, images: images[first..<last], scales: scales[first..<last], workspace: ws) { t, logits in
                        let base = (first + t) * stride + m * outputs
                        for o in 0..<outputs { cells[base + o] = logits[o] }
                    }
                    first = last
                }
            }
        }
        return (0..<images.count).map { i in Array(cells[(i * stride)..<((i + 1) * stride)]) }
    }

    /// Contiguous, nearly equal model ranges, one per worker.
    static func partition(_ n: Int, into parts: Int) -> [Range<Int>] {
        (0..<parts).map { p in (p * n / parts)..<((p + 1) * n / parts) }
    }
}
