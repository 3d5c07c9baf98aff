import CertData
import CertShape
import Testing

/// `maxValues` (the daemon's max_pixels) is applied by every decoder to the header's claim.
@Suite("Decoding limits")
struct DecodeLimitTests {
    private static let shape = ImageShape(channels: 1, height: 28, width: 28)
    private static let image = DecodedImage(shape: shape, pixels: (0..<784).map { Float($0 % 256) / 255 })

    @Test(arguments: ["png", "pnm", "npy"])
    func aHeaderOverTheLimitIsRefusedAndOneAtItDecodes(_ format: String) throws {
        let bytes: [UInt8]
        switch format {
        case "png": bytes = try PNGEncoder.encode(Self.image)
        case "pnm": bytes = Array("P5\n28 28\n255\n".utf8) + (0..<784).map { UInt8($0 % 256) }
        default: bytes = Self.npy()
        }
        #expect(try ImageDecoder.decode(bytes, source: "x", maxValues: 784).shape == Self.shape)
        #expect { try ImageDecoder.decode(bytes, source: "x", maxValues: 783) } throws: {
            "\($0)".contains("too large") && "\($0)".contains("783")
        }
    }

    /// A limit above the built-in cap does not raise it.
    @Test func theBuiltInCapStillHolds() {
        let claim = Array("P5\n10000 10000\n255\n".utf8)  // 10⁸ values, header only
        #expect { try ImageDecoder.decode(claim, source: "x", maxValues: .max) } throws: {
            "\($0)".contains("the limit is \(ImageDecoder.maximumValueCount) values")
        }
    }

    /// Decompression bombs: a PNG of a few dozen bytes whose IHDR claims 4000x4000 RGB (48
    /// million values, under the limit) is refused from its header when the model set expects
    /// 1x28x28, so nothing is allocated or inflated: before the shape check moved ahead of
    /// decoding, libpng was handed a 48 MB buffer and failed on the missing rows instead. The same
    /// holds for every format (the shape comes from each header).
    @Test(arguments: ["png", "pnm", "npy", "jpeg"])
    func aHeaderOfAnotherShapeIsRefusedBeforeDecoding(_ format: String) throws {
        let bytes: [UInt8]
        switch format {
        case "png": bytes = PNGBuilder.build(width: 4000, height: 4000, bitDepth: 8, colourType: 2, rows: [[0, 0, 0]])
        case "pnm": bytes = Array("P6\n4000 4000\n255\n".utf8) + [0, 0, 0]
        case "npy": bytes = NPYBuilder.build(descr: "<f4", shape: [3, 4000, 4000], data: [0, 0, 0, 0])
        default:
            // A real 16x16 colour JPEG is a 3x16x16 header: refused as such, not decoded.
            bytes = encodeJPEG(smoothSamples(width: 16, height: 16, channels: 3), width: 16, height: 16, grey: false)
        }
        #expect(bytes.count < 1000)
        let claimed = format == "jpeg" ? "3x16x16" : "3x4000x4000"
        #expect { try ImageDecoder.decode(bytes, source: "bomb", expecting: Self.shape) } throws: {
            "\($0)" == "bomb: image is \(claimed) but the model set expects 1x28x28"
        }
    }

    /// An NPY header is read only up to numpy's own 10 000 bytes, whatever its length field says
    /// (version 2 has four bytes for it) and however much follows.
    @Test func anNPYHeaderOverTheCapIsRefusedUnread() throws {
        var v2: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
        v2 += [0x11, 0x27, 0, 0]  // 10 001 bytes claimed
        v2 += Array("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 28, 28), }".utf8)
        v2 += [UInt8](repeating: 0x20, count: 10_001)
        #expect { try ImageDecoder.decode(v2, source: "x") } throws: {
            "\($0)" == "x: bad npy header: header claims 10001 bytes; the limit is 10000"
        }
    }

    /// A 1x28x28 float32 .npy.
    private static func npy() -> [UInt8] {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 28, 28), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out += [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        for v in image.pixels { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        return out
    }
}
