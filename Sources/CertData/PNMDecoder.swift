import CertShape

/// Netpbm greymaps and pixmaps: P2/P5 (grey) and P3/P6 (RGB), maxval 1...65535.
/// Binary samples wider than 8 bits are big-endian, as the format specifies.
enum PNMDecoder {
    /// The second magic byte of the accepted kinds.
    static let kinds: Set<UInt8> = Set("2356".utf8)

    static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C
    }

    static func decode(_ bytes: [UInt8], limit: Int = ImageLimits.maximumValues, expecting: ImageShape? = nil) throws -> DecodedImage {
        let kind = bytes[1]
        let colour = kind == UInt8(ascii: "3") || kind == UInt8(ascii: "6")
        let binary = kind == UInt8(ascii: "5") || kind == UInt8(ascii: "6")
        var reader = PNMReader(bytes: bytes, position: 2)

        let width = try reader.integer("width")
        let height = try reader.integer("height")
        let maxval = try reader.integer("maxval")
        guard (1...65535).contains(maxval) else {
            throw DecodeFailure("PNM maxval \(maxval) is outside 1...65535")
        }
        let channels = colour ? 3 : 1
        let count = try ImageLimits.checkedCount(channels: channels, height: height, width: width, limit: limit, expecting: expecting)

        // Check the raster can be there before allocating for it: a 20-byte header may
        // claim 49 million samples.
        try reader.requireRaster(samples: count, binary: binary, wide: maxval > 255)
        let plane = height * width
        var pixels = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let v = binary ? reader.binarySample(wide: maxval > 255) : try reader.integer("sample \(i)")
            guard v <= maxval else {
                throw DecodeFailure("PNM sample \(i) is \(v), above maxval \(maxval)")
            }
            // The file interleaves channels per pixel; the result is CHW.
            pixels[(i % channels) * plane + i / channels] = Float(v) / Float(maxval)
        }
        return DecodedImage(
            shape: ImageShape(channels: channels, height: height, width: width),
            pixels: pixels)
    }
}

/// A cursor over PNM bytes: decimal tokens with '#' comments, then raw samples.
struct PNMReader {
    let bytes: [UInt8]
    var position: Int

    /// The next decimal token after whitespace and comments.
    mutating func integer(_ what: String) throws -> Int {
        skipWhitespaceAndComments()
        var value = 0
        var digits = 0
        while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
            value = value * 10 + Int(bytes[position] - 0x30)
            digits += 1
            position += 1
            guard value <= 1 << 32 else { throw DecodeFailure("PNM \(what) is too large") }
        }
        guard digits > 0 else {
            throw DecodeFailure(
                position >= bytes.count
                    ? "truncated PNM: missing \(what)"
                    : "bad PNM: expected a number for \(what)")
        }
        return value
    }

    /// Fails unless enough bytes remain for the raster. A binary raster starts after
    /// exactly one whitespace byte; a plain one needs a digit and a separator per sample.
    mutating func requireRaster(samples: Int, binary: Bool, wide: Bool) throws {
        if binary {
            guard position < bytes.count, PNMDecoder.isWhitespace(bytes[position]) else {
                throw DecodeFailure("truncated PNM: no raster after the header")
            }
            position += 1
        }
        let needed = binary ? samples * (wide ? 2 : 1) : 2 * samples - 1
        guard bytes.count - position >= needed else {
            throw DecodeFailure("truncated PNM: raster has \(bytes.count - position) bytes, needs \(binary ? "" : "at least ")\(needed)")
        }
    }

    /// The next binary sample (big-endian when wide); bounds checked by `requireRaster`.
    mutating func binarySample(wide: Bool) -> Int {
        defer { position += wide ? 2 : 1 }
        return wide ? Int(bytes[position]) << 8 | Int(bytes[position + 1]) : Int(bytes[position])
    }

    private mutating func skipWhitespaceAndComments() {
        while position < bytes.count {
            if PNMDecoder.isWhitespace(bytes[position]) {
                position += 1
            } else if bytes[position] == UInt8(ascii: "#") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D {
                    position += 1
                }
            } else {
                return
            }
        }
    }
}
