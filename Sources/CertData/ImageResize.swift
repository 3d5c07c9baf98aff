import CertShape

/// Fits a decoded image to a model's input shape: channel conversion and bilinear resize.
///
/// Resizing follows PyTorch's `F.interpolate(mode="bilinear", align_corners=False)`
/// without antialiasing: output pixel x samples the input at (x + 0.5) * in/out - 0.5,
/// clamped below at 0, between the two nearest pixels (the upper one clamped to the edge).
/// Channels: grey → RGB replicates the grey plane; RGB → grey uses the ITU-R BT.601 luma
/// weights 0.299 R + 0.587 G + 0.114 B (PIL's "L" conversion, without its rounding).
public enum ImageResize {
    /// `image` with `shape`'s channels and size: channels converted (grey ↔ RGB) and resized
    /// bilinearly as needed. Throws `DecodeFailure` for channel counts other than 1 and 3.
    public static func fit(_ image: DecodedImage, to shape: ImageShape) throws -> DecodedImage {
        var out = image
        // Both steps are linear, so their order only changes the cost: work on fewer planes.
        if shape.channels < out.shape.channels { out = try convertChannels(out, to: shape.channels) }
        if out.shape.height != shape.height || out.shape.width != shape.width {
            out = bilinear(out, height: shape.height, width: shape.width)
        }
        if shape.channels != out.shape.channels { out = try convertChannels(out, to: shape.channels) }
        return out
    }

    /// The same image with `channels` channels: grey → RGB replicates, RGB → grey takes BT.601
    /// luma. Throws `DecodeFailure` for other pairs.
    public static func convertChannels(_ image: DecodedImage, to channels: Int) throws -> DecodedImage {
        let from = image.shape.channels
        if from == channels { return image }
        let plane = image.shape.height * image.shape.width
        let shape = ImageShape(channels: channels, height: image.shape.height, width: image.shape.width)
        switch (from, channels) {
        case (1, 3):
            return DecodedImage(shape: shape, pixels: image.pixels + image.pixels + image.pixels)
        case (3, 1):
            let p = image.pixels
            let grey = (0..<plane).map { 0.299 * p[$0] + 0.587 * p[plane + $0] + 0.114 * p[2 * plane + $0] }
            return DecodedImage(shape: shape, pixels: grey)
        default:
            throw DecodeFailure("cannot convert \(from) channels to \(channels) (only grey <-> RGB)")
        }
    }

    /// Bilinear resize of every channel to `height`×`width` (PyTorch's rule above).
    public static func bilinear(_ image: DecodedImage, height: Int, width: Int) -> DecodedImage {
        let s = image.shape
        let ys = taps(input: s.height, output: height)
        let xs = taps(input: s.width, output: width)
        var out = [Float](repeating: 0, count: s.channels * height * width)
        let src = image.pixels
        for c in 0..<s.channels {
            let inBase = c * s.height * s.width, outBase = c * height * width
            for (oy, ty) in ys.enumerated() {
                let row0 = inBase + ty.low * s.width, row1 = inBase + ty.high * s.width
                for (ox, tx) in xs.enumerated() {
                    let top = (1 - tx.weight) * src[row0 + tx.low] + tx.weight * src[row0 + tx.high]
                    let bottom = (1 - tx.weight) * src[row1 + tx.low] + tx.weight * src[row1 + tx.high]
                    out[outBase + oy * width + ox] = (1 - ty.weight) * top + ty.weight * bottom
                }
            }
        }
        return DecodedImage(shape: ImageShape(channels: s.channels, height: height, width: width), pixels: out)
    }

    /// For each output coordinate: the two input coordinates and the weight of the upper one.
    static func taps(input: Int, output: Int) -> [(low: Int, high: Int, weight: Float)] {
        let scale = Double(input) / Double(output)
        return (0..<output).map { x in
            let source = max(0, (Double(x) + 0.5) * scale - 0.5)
            let low = min(Int(source), input - 1)
            let high = min(low + 1, input - 1)
            return (low, high, Float(source - Double(low)))
        }
    }
}
