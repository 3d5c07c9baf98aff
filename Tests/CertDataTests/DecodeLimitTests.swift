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
