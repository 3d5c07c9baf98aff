/// The shape of one image in channel-major (CHW) order, as the models consume it: the one
/// shape type of every stage (decoders, trigger plugins, architectures, manifests).
///
/// Coded as the JSON array `[channels, height, width]`, the manifest's `input_shape`.
public struct ImageShape: Hashable, Sendable, CustomStringConvertible, Codable {
    /// Colour planes: 1 for greyscale, 3 for RGB.
    public var channels: Int
    /// Rows of pixels.
    public var height: Int
    /// Pixels per row.
    public var width: Int

    /// A shape from its three extents (not checked: see `init?(parsing:)` for user input).
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Parses "1x28x28" (three positive integers, `x` or `X` between them); nil when malformed.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], c > 0, h > 0, w > 0 else { return nil }
        self.init(channels: c, height: h, width: w)
    }

    /// The three shapes of the paper's tasks: MNIST, CIFAR-10, dogs vs cats.
    public static let paperTasks: [ImageShape] = [
        ImageShape(channels: 1, height: 28, width: 28),
        ImageShape(channels: 3, height: 32, width: 32),
        ImageShape(channels: 3, height: 224, width: 224),
    ]

    /// Number of values (channels × height × width).
    public var count: Int { channels * height * width }

    /// `[channels, height, width]`: the tensor shape of one image.
    public var dimensions: [Int] { [channels, height, width] }

    /// "1x28x28": the spelling used in error messages and on the command line.
    public var description: String { "\(channels)x\(height)x\(width)" }

    /// Reads `[C, H, W]`; anything else (two or four numbers, an object) is a decoding error.
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let values = [try c.decode(Int.self), try c.decode(Int.self), try c.decode(Int.self)]
        guard c.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "an image shape has three extents [C, H, W]")
        }
        self.init(channels: values[0], height: values[1], width: values[2])
    }

    /// Writes `[C, H, W]`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(channels); try c.encode(height); try c.encode(width)
    }
}
