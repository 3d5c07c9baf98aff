import CPNG
import CertShape

/// PNG through libpng's simplified API, which reports errors in `image.message`
/// instead of longjmp-ing (setjmp cannot be used safely from Swift).
enum PNGDecoder {
    static func decode(_ original: [UInt8], limit: Int = ImageLimits.maximumValues, expecting: ImageShape? = nil) throws -> DecodedImage {
        let bytes = PNGChunks.withoutColourSpaceChunks(original)
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }

        // libpng keeps a pointer to the memory until finish_read, so both calls
        // happen inside one closure.
        return try bytes.withUnsafeBytes { raw -> DecodedImage in
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw DecodeFailure("truncated or corrupt PNG: \(image.messageText)")
            }
            let fileFormat = image.format
            let colour = fileFormat & PNG_FORMAT_FLAG_COLOR != 0  // palette files are colour too
            let alpha = fileFormat & PNG_FORMAT_FLAG_ALPHA != 0
            let linear = fileFormat & PNG_FORMAT_FLAG_LINEAR != 0  // 16-bit samples
            let channels = colour ? 3 : 1
            let height = Int(image.height), width = Int(image.width)
            _ = try ImageLimits.checkedCount(channels: channels, height: height, width: width, limit: limit, expecting: expecting)

            // Ask for alpha when the file has it so that nothing is composited; 16-bit
            // files read as linear, the encoding that needs no gamma step for them.
            image.format =
                (colour ? PNG_FORMAT_FLAG_COLOR : 0)
                | (alpha ? PNG_FORMAT_FLAG_ALPHA : 0)
                | (linear ? PNG_FORMAT_FLAG_LINEAR : 0)
            let samples = (channels + (alpha ? 1 : 0)) * height * width
            let shape = ImageShape(channels: channels, height: height, width: width)
            return linear
                ? try finish(&image, UInt16.self, samples: samples, shape: shape, alpha: alpha)
                : try finish(&image, UInt8.self, samples: samples, shape: shape, alpha: alpha)
        }
    }

    /// Reads the pixels into `T` samples (UInt8 or 16-bit linear UInt16), then to floats.
    private static func finish<T: FixedWidthInteger & UnsignedInteger>(
        _ image: inout png_image, _: T.Type, samples: Int, shape: ImageShape, alpha: Bool
    ) throws -> DecodedImage {
        var buffer = [T](repeating: 0, count: samples)
        let ok = buffer.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, 0, nil)
        }
        guard ok != 0 else { throw DecodeFailure("truncated or corrupt PNG: \(image.messageText)") }
        return planar(
            buffer, channels: shape.channels, alpha: alpha, height: shape.height,
            width: shape.width, scale: Float(T.max))
    }

    /// Interleaved samples to CHW floats, alpha dropped. The simplified API premultiplies
    /// colour by alpha only for 16-bit (linear) output, so only that case is divided back.
    private static func planar<T: BinaryInteger>(
        _ samples: [T], channels: Int, alpha: Bool, height: Int, width: Int, scale: Float
    ) -> DecodedImage {
        let plane = height * width
        let stride = channels + (alpha ? 1 : 0)
        let premultiplied = alpha && scale == 65535
        var pixels = [Float](repeating: 0, count: channels * plane)
        samples.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for p in 0..<plane {
                    let base = p * stride
                    let a = premultiplied ? Float(src[base + channels]) : scale
                    for c in 0..<channels {
                        let v = Float(src[base + c])
                        // Fully transparent 16-bit pixels have lost their colour: 0.
                        dst[c * plane + p] = a == scale ? v / scale : (a > 0 ? min(1, v / a) : 0)
                    }
                }
            }
        }
        return DecodedImage(
            shape: ImageShape(channels: channels, height: height, width: width),
            pixels: pixels)
    }
}
