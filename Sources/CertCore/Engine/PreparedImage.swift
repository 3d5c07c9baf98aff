/// An input image as the stem sees it: its im2col matrix, computed once per image and
/// shared read-only by every model and worker.
///
/// `@unchecked Sendable`: immutable after init; `columns` is filled here and only read by the
/// workers.
public final class PreparedImage: @unchecked Sendable {
    /// The CHW pixels as given, in [0, 1].
    public let pixels: [Float]
    let columns: AlignedBuffer

    /// Computes the image's im2col matrix for `plan`'s stem. Crashes (precondition) when `pixels`
    /// is not the stem's input size.
    public init(pixels: [Float], plan: NetworkPlan) {
        precondition(pixels.count == plan.stem.inputCount, "image has \(pixels.count) values, the stem needs \(plan.stem.inputCount)")
        self.pixels = pixels
        let g = plan.stem
        if g.isPointwise {
            columns = AlignedBuffer(pixels)
        } else {
            columns = AlignedBuffer(count: g.patchSize * g.outPixels)
            pixels.withUnsafeBufferPointer { Conv2d.im2col($0.baseAddress!, g, into: columns.pointer) }
        }
    }
}
