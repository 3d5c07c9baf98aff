import CertShape

/// Images with integer labels, stored contiguously (one `[Float]` for all images) so that
/// training can copy mini-batches without chasing one array per image.
public struct LabeledDataset: Sendable, Equatable {
    /// The shape every image has.
    public var shape: ImageShape
    /// `count * shape.count` values: image after image, each CHW, in [0, 1] when read.
    public var pixels: [Float]
    /// One label per image, an index into `classes`.
    public var labels: [Int]
    /// Class names; `classes[label]` names a label.
    public var classes: [String]

    /// Number of images. Derived from `labels`, so it cannot disagree with them.
    public var count: Int { labels.count }

    /// Programmer errors (sizes that disagree) trap; readers validate files before this.
    public init(shape: ImageShape, pixels: [Float], labels: [Int], classes: [String]) {
        precondition(
            pixels.count == labels.count * shape.count,
            "\(pixels.count) values for \(labels.count) images of \(shape)")
        self.shape = shape
        self.pixels = pixels
        self.labels = labels
        self.classes = classes
    }

    /// Gathers separately decoded images of one shape.
    public init(images: [DecodedImage], labels: [Int], classes: [String], shape: ImageShape) {
        precondition(images.count == labels.count, "\(images.count) images, \(labels.count) labels")
        var pixels: [Float] = []
        pixels.reserveCapacity(images.count * shape.count)
        for image in images {
            precondition(image.shape == shape, "image is \(image.shape), dataset is \(shape)")
            pixels.append(contentsOf: image.pixels)
        }
        self.init(shape: shape, pixels: pixels, labels: labels, classes: classes)
    }

    /// The values of image `i` (a view, no copy).
    public func image(_ i: Int) -> ArraySlice<Float> {
        let n = shape.count
        return pixels[(i * n)..<((i + 1) * n)]
    }

    /// The images at `indices`, in that order (repeats allowed).
    public func subset(_ indices: [Int]) -> LabeledDataset {
        let n = shape.count
        var out = [Float](repeating: 0, count: indices.count * n)
        for i in indices { precondition(i >= 0 && i < labels.count, "index \(i) outside 0..<\(labels.count)") }
        if n > 0 && !indices.isEmpty {
            pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for (k, i) in indices.enumerated() {
                        (dst.baseAddress! + k * n).update(from: src.baseAddress! + i * n, count: n)
                    }
                }
            }
        }
        return LabeledDataset(shape: shape, pixels: out, labels: indices.map { labels[$0] }, classes: classes)
    }

    /// How many images carry each label (index = label).
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for l in labels where l >= 0 && l < counts.count { counts[l] += 1 }
        return counts
    }
}
