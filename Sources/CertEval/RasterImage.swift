/// An RGB image, 8 bits a channel, rows top to bottom: what `Chart.raster()` draws into.
public struct RasterImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// r, g, b for each pixel, row-major.
    public private(set) var rgb: [UInt8]

    /// A `width` × `height` image filled with `colour`.
    public init(width: Int, height: Int, colour: Chart.Colour = .white) {
        self.width = width; self.height = height
        rgb = [UInt8](repeating: 0, count: 3 * width * height)
        for i in 0..<width * height { rgb[3 * i] = colour.r; rgb[3 * i + 1] = colour.g; rgb[3 * i + 2] = colour.b }
    }

    /// The colour at (x, y).
    public func pixel(x: Int, y: Int) -> Chart.Colour {
        let i = 3 * (y * width + x)
        return Chart.Colour(rgb[i], rgb[i + 1], rgb[i + 2])
    }

    /// Paints (x, y); outside the image it does nothing.
    public mutating func set(x: Int, y: Int, _ colour: Chart.Colour) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = 3 * (y * width + x)
        rgb[i] = colour.r; rgb[i + 1] = colour.g; rgb[i + 2] = colour.b
    }

    /// Channel planes of floats in [0, 1] (CHW), the layout `DecodedImage` and the PNG encoder take.
    public var planarFloats: [Float] {
        var out = [Float](repeating: 0, count: rgb.count)
        let plane = width * height
        for i in 0..<plane {
            for c in 0..<3 { out[c * plane + i] = Float(rgb[3 * i + c]) / 255 }
        }
        return out
    }
}
