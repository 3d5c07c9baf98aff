/// Training data as the trainer needs it: images back to back, labels, and each sample's
/// own noise level sigma_i (METHOD.md §2.5 stage 2; sigma0 for every sample until the sigma
/// search lands).
public struct TrainingSet: Sendable {
    /// One sample's shape, CHW.
    public var shape: [Int]
    /// `count · itemCount` floats, sample after sample, in [0, 1] (plus the trigger on poisoned
    /// ones).
    public var pixels: [Float]
    /// One label per sample (poisoned samples carry the target label).
    public var labels: [Int]
    /// sigma_i per sample: the noise scale of its b_{m,i}.
    public var sigmas: [Float]
    /// Number of classes; 2 trains a single-logit (sigmoid) network.
    public var classes: Int

    /// A training set; crashes (precondition) when the sizes disagree.
    public init(shape: [Int], pixels: [Float], labels: [Int], sigmas: [Float], classes: Int) {
        precondition(pixels.count == labels.count * shape.reduce(1, *) && sigmas.count == labels.count)
        self.shape = shape; self.pixels = pixels; self.labels = labels; self.sigmas = sigmas; self.classes = classes
    }

    /// Number of samples.
    public var count: Int { labels.count }
    /// Floats per sample.
    public var itemCount: Int { shape.reduce(1, *) }
}
