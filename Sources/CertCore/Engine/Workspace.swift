/// Scratch memory for one worker: activation slots, the im2col matrix, a convolution's product
/// before its pooling epilogue, two head tiles, and the head weights of
/// fp16 sets widened for the model being run. Allocated once per worker and reused for every
/// model and image (the widened weights once, at the first fp16 model).
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
    private var widened: [AlignedBuffer?]
    /// The model each widened weight belongs to (held, so identity cannot be reused).
    private var widenedFrom: [ModelTensors?]

    /// Buffers sized for the largest step of `plan`.
    public init(plan: NetworkPlan) {
        slots = (0..<plan.slotCount).map { _ in AlignedBuffer(count: plan.slotSize) }
        scratch = AlignedBuffer(count: plan.scratchSize)
        headIn = AlignedBuffer(count: plan.widestHead * Linear.tileWidth)
        headOut = AlignedBuffer(count: plan.widestHead * Linear.tileWidth)
        product = AlignedBuffer(count: plan.productSize)
        widened = plan.head.map { _ in nil }
        widenedFrom = plan.head.map { _ in nil }
    }

    /// Head step `k`'s weight of `model` as float32: in place, or widened from halves into this
    /// workspace. Consecutive tiles of one model (the scheduler's order) widen it once.
    @inline(__always)
    func headWeight(_ k: Int, of model: ModelTensors, count: Int) -> UnsafePointer<Float> {
        switch model.headWeights[k] {
        case let .float(p):
            return p
        case let .half(h):
            if widenedFrom[k] !== model {
                if widened[k] == nil { widened[k] = AlignedBuffer(count: count) }
                HalfWidening.widen(h, count: count, into: widened[k]!.pointer)
                widenedFrom[k] = model
            }
            return UnsafePointer(widened[k]!.pointer)
        }
    }
}
