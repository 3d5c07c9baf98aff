import CertShape

/// A decoded image: CHW float32 values in [0, 1].
public struct DecodedImage: Equatable, Sendable {
    /// Channels, height and width of `pixels`.
    public var shape: ImageShape
    /// Channel-major (CHW) values in [0, 1]; `pixels.count == shape.count`.
    public var pixels: [Float]

    /// An image from its shape and CHW values; not checked (decoders produce matching sizes).
    public init(shape: ImageShape, pixels: [Float]) {
        self.shape = shape
        self.pixels = pixels
    }
}
