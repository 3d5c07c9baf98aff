import CertShape

/// Entry point: bytes or a file in, a CHW float image in [0, 1] out.
public enum ImageDecoder {
    /// Largest image accepted, in values (channels × height × width); bigger headers are
    /// refused before any pixel memory is allocated.
    public static var maximumValueCount: Int { ImageLimits.maximumValues }

    /// The format named by the leading magic bytes, or nil.
    public static func detectFormat(_ bytes: [UInt8]) -> ImageFormat? {
        ImageFormat(magic: bytes)
    }

    /// Decodes `bytes`; every failure is an `ImageDecodingError` naming `source`.
    /// With `expecting`, an image of another shape is refused, from its header, before any pixel
    /// is decoded. A header that claims more than
    /// `maxValues` values (channels × height × width, at most `maximumValueCount`) is refused
    /// before any pixel memory is allocated (the daemon's `max_pixels`).
    public static func decode(
        _ bytes: [UInt8], source: String, expecting: ImageShape? = nil,
        maxValues: Int = ImageLimits.maximumValues
    ) throws -> DecodedImage {
        do {
            let image = try decodeAny(bytes, limit: min(maxValues, ImageLimits.maximumValues), expecting: expecting)
            if let expecting, image.shape != expecting {
                throw DecodeFailure("image is \(image.shape) but the model set expects \(expecting)")
            }
            return image
        } catch let failure as DecodeFailure {
            throw ImageDecodingError(source: source, reason: failure.reason)
        }
    }

    /// Reads and decodes a file; `source` in errors is the path.
    public static func decodeFile(
        atPath path: String,
        expecting: ImageShape? = nil
    ) throws -> DecodedImage {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path: path)
        } catch let failure as DecodeFailure {
            throw ImageDecodingError(source: path, reason: failure.reason)
        }
        return try decode(bytes, source: path, expecting: expecting)
    }

    private static func decodeAny(_ bytes: [UInt8], limit: Int, expecting: ImageShape?) throws -> DecodedImage {
        guard !bytes.isEmpty else { throw DecodeFailure("empty file") }
        guard let format = detectFormat(bytes) else {
            throw DecodeFailure("unknown image format (supported: \(ImageFormat.supportedList))")
        }
        switch format {
        case .png: return try PNGDecoder.decode(bytes, limit: limit, expecting: expecting)
        case .jpeg: return try JPEGDecoder.decode(bytes, limit: limit, expecting: expecting)
        case .pnm: return try PNMDecoder.decode(bytes, limit: limit, expecting: expecting)
        case .npy: return try NPYDecoder.decode(bytes, limit: limit, expecting: expecting)
        }
    }
}
