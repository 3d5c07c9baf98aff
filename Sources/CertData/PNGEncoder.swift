import CPNG

/// Writes a `DecodedImage` as PNG with libpng's simplified write API: grey for one
/// channel, RGB for three; 8-bit (sRGB-coded) or 16-bit (linear). Values are clamped to
/// [0, 1] and rounded, so decoding an 8-bit file gives back k/255 exactly.
public enum PNGEncoder {
    /// Throws `ImageDecodingError` (source "PNG encoder") for shapes PNG cannot hold here,
    /// a pixel count that does not match the shape, or a non-finite value.
    public static func encode(_ image: DecodedImage, bitDepth: Int = 8) throws -> [UInt8] {
        do {
            return try encodeChecked(image, bitDepth: bitDepth)
        } catch let failure as DecodeFailure {
            throw ImageDecodingError(source: "PNG encoder", reason: failure.reason)
        }
    }

    private static func encodeChecked(_ image: DecodedImage, bitDepth: Int) throws -> [UInt8] {
        let shape = image.shape
        guard shape.channels == 1 || shape.channels == 3 else {
            throw DecodeFailure("cannot write \(shape.channels) channels; PNG output is grey (1) or RGB (3)")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw DecodeFailure("bit depth \(bitDepth) is not supported (8 or 16)")
        }
        let count = try ImageLimits.checkedCount(channels: shape.channels, height: shape.height, width: shape.width)
        guard image.pixels.count == count else {
            throw DecodeFailure("image has \(image.pixels.count) values but shape \(shape) needs \(count)")
        }
        if let bad = image.pixels.firstIndex(where: { !$0.isFinite }) {
            throw DecodeFailure("value at index \(bad) is not finite")
        }

        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(shape.width)
        png.height = png_uint_32(shape.height)
        png.format =
            (shape.channels == 3 ? PNG_FORMAT_FLAG_COLOR : 0)
            | (bitDepth == 16 ? PNG_FORMAT_FLAG_LINEAR : 0)
        defer { png_image_free(&png) }

        if bitDepth == 16 {
            return try write(&png, samples: interleaved(image, maximum: 65535) as [UInt16])
        }
        return try write(&png, samples: interleaved(image, maximum: 255) as [UInt8])
    }

    /// CHW floats to HWC integers, clamped and rounded to nearest.
    private static func interleaved<T: FixedWidthInteger>(_ image: DecodedImage, maximum: Float) -> [T] {
        let c = image.shape.channels, plane = image.shape.height * image.shape.width
        var out = [T](repeating: 0, count: image.pixels.count)
        for p in 0..<plane {
            for k in 0..<c {
                let v = min(max(image.pixels[k * plane + p], 0), 1)
                out[p * c + k] = T((v * maximum).rounded())
            }
        }
        return out
    }

    /// Two calls: the first asks for the size, the second fills the buffer.
    private static func write<T>(_ png: inout png_image, samples: [T]) throws -> [UInt8] {
        try samples.withUnsafeBytes { raw in
            var size = 0
            guard png_image_write_to_memory(&png, nil, &size, 0, raw.baseAddress, 0, nil) != 0 else {
                throw DecodeFailure("libpng could not size the image: \(png.messageText)")
            }
            var out = [UInt8](repeating: 0, count: size)
            let ok = out.withUnsafeMutableBytes {
                png_image_write_to_memory(&png, $0.baseAddress, &size, 0, raw.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw DecodeFailure("libpng could not write the image: \(png.messageText)") }
            return Array(out.prefix(size))
        }
    }
}
