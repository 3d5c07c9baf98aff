/// The shape of one image in channel-major (CHW) order, as the models consume it.
public struct ImageShape: Hashable, Sendable, CustomStringConvertible, Codable {
    /// C: 1 (grey) or 3 (RGB) for the models certssb knows.
    public var channels: Int
    /// H, in pixels.
    public var height: Int
    /// W, in pixels.
    public var width: Int

    /// A CHW shape.
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Number of values (channels × height × width).
    public var count: Int { channels * height * width }

    /// "1x28x28": the spelling used in manifests and error messages.
    public var description: String { "\(channels)x\(height)x\(width)" }
}
