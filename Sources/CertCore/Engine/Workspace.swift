/// Scratch memory for one worker: activation slots, the im2col matrix, a convolution's product
/// before its pooling epilogue, and two head tiles. Allocated once per worker and reused for
/// every model and image.
///
/// `@unchecked Sendable` so it can move to its worker thread, not to be shared: every forward pass
/// writes all of it. Each worker owns one (`NoiseBatchScheduler` makes one per worker, benchmarks
/// one per thread), and nothing else touches it.
public final class Workspace: @unchecked Sendable {
    let slots: [AlignedBuffer]
    let scratch: AlignedBuffer
    let headIn: AlignedBuffer
    let headOut: AlignedBuffer
    let product: AlignedBuffer

    /// Buffers sized for the largest step of `plan`.
    public init(plan: NetworkPlan) {
        slots = (0..<plan.slotCount).map { _ in AlignedBuffer(count: plan.slotSize) }
        scratch = AlignedBuffer(count: plan.scratchSize)
        headIn = AlignedBuffer(count: plan.widestHead * Linear.tileWidth)
        headOut = AlignedBuffer(count: plan.widestHead * Linear.tileWidth)
        product = AlignedBuffer(count: plan.productSize)
    }
}
