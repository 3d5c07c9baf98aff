/// Training data as the trainer needs it: images back to back, labels, and each sample's
/// own noise level sigma_i (DESIGN 2.5 stage 2; sigma0 for every sample until the sigma
/// search lands).
public struct TrainingSet: Sendable {
    public var shape: [Int]
    public var pixels: [Float]
    public var labels: [Int]
    public var sigmas: [Float]
    public var classes: Int

    public init(shape: [Int], pixels: [Float], labels: [Int], sigmas: [Float], classes: Int) {
        precondition(pixels.count == labels.count * shape.reduce(1, *) && sigmas.count == labels.count)
        self.shape = shape; self.pixels = pixels; self.labels = labels; self.sigmas = sigmas; self.classes = classes
    }

    public var count: Int { labels.count }
    public var itemCount: Int { shape.reduce(1, *) }
}
