import Glibc  // maths

// Shared by the onepixel and fourpixel plugins.

/// One row of the METHOD.md §2.2 table: a square reference size and its [row, col] pixels.
public struct ReferenceRow: Sendable {
    /// The reference height and width (28, 32 or 224).
    public var size: Int
    /// The pixels the trigger raises at that size, [row, col].
    public var pixels: [(row: Int, col: Int)]
    /// A table row.
    public init(size: Int, pixels: [(row: Int, col: Int)]) { self.size = size; self.pixels = pixels }
}

/// Smallest image the scaled rule accepts; below it the pixels would pile onto the border.
public let minimumSide = 3

/// The pixels for an image of height x width. A table size is exact; any other size uses
/// the row whose size is nearest on a log scale to the height (ties go to the smaller) and
/// scales each pixel, r' = round(r * H / ref), c' = round(c * W / ref), clamped to the image;
/// pixels that coincide after scaling count once.
public func pixels(in table: [ReferenceRow], height: Int, width: Int) -> [(row: Int, col: Int)] {
    var best = table[0]
    for row in table.dropFirst()
    where abs(log(Double(height) / Double(row.size))) < abs(log(Double(height) / Double(best.size))) {
        best = row
    }
    if best.size == height && best.size == width { return best.pixels }
    var seen = Set<Int>(), result: [(row: Int, col: Int)] = []
    for pixel in best.pixels {
        let r = min(max(Int((Double(pixel.row * height) / Double(best.size)).rounded()), 0), height - 1)
        let c = min(max(Int((Double(pixel.col * width) / Double(best.size)).rounded()), 0), width - 1)
        if seen.insert(r * width + c).inserted { result.append((r, c)) }
    }
    return result
}

/// Adds `amount` to every channel at each pixel and clips at 1 (no lower clip). The sum is
/// taken in double and rounded once, as numpy does for `x[c, r, k] += d / np.sqrt(n)`.
public func addClipped(
    _ image: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
    pixels: [(row: Int, col: Int)], amount: Double
) {
    for channel in 0..<channels {
        for pixel in pixels {
            let i = (channel * height + pixel.row) * width + pixel.col
            image[i] = Float(min(Double(image[i]) + amount, 1.0))
        }
    }
}

/// The `supports` of both pixel plugins: C ≥ 1, H and W ≥ `minimumSide`, and C·H·W within Int32.
public func supportsShape(_ channels: UInt32, _ height: UInt32, _ width: UInt32) -> Bool {
    channels > 0 && height >= UInt32(minimumSide) && width >= UInt32(minimumSide)
        && UInt64(channels) * UInt64(height) * UInt64(width) <= UInt64(Int32.max)
}

/// The whole apply of a pixel trigger: validate, then raise each table pixel of every
/// channel by d/sqrt(share·C) — the per-channel size that keeps the L2 norm at d when
/// nothing clips — clipping at 1.
public func applyPixelTrigger(
    _ table: [ReferenceRow], perChannelShare share: Int,
    _ image: UnsafeMutablePointer<Float>?, _ channels: UInt32, _ height: UInt32, _ width: UInt32,
    _ delta: Double, _ error: UnsafeMutablePointer<CChar>?, _ errorSize: Int
) -> Int32 {
    let code = validateCall(
        image, supportsShape(channels, height, width),
        shape: "\(channels)x\(height)x\(width) (need C >= 1, H and W >= \(minimumSide))",
        delta: delta, error: error, size: errorSize)
    guard code == 0, let image else { return code }
    let (c, h, w) = (Int(channels), Int(height), Int(width))
    addClipped(
        image, channels: c, height: h, width: w, pixels: pixels(in: table, height: h, width: w),
        amount: delta / sqrt(Double(share * c)))
    return 0
}
