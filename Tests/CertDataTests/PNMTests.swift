import CertData
import CertShape
import Testing

@Suite("PGM/PPM")
struct PNMTests {
    @Test func asciiGreyWithComments() throws {
        let text = "P2\n# made by hand\n3 2 # width height\n15\n0 5 10\n15 # last row\n 1 2\n"
        let decoded = try ImageDecoder.decode(Array(text.utf8), source: "p2")
        #expect(decoded.shape == ImageShape(channels: 1, height: 2, width: 3))
        #expect(decoded.pixels == [0, 5, 10, 15, 1, 2].map { Float($0) / 15 })
    }

    @Test func asciiColour() throws {
        let text = "P3 2 1 255\n255 0 10  20 30 40\n"
        let decoded = try ImageDecoder.decode(Array(text.utf8), source: "p3")
        #expect(decoded.shape == ImageShape(channels: 3, height: 1, width: 2))
        #expect(decoded.pixels == [255, 20, 0, 30, 10, 40].map { Float($0) / 255 })
    }

    @Test func binaryGrey8And16Bit() throws {
        let p5 = Array("P5\n#c\n2 2\n255\n".utf8) + [0, 1, 128, 255]
        #expect(try ImageDecoder.decode(p5, source: "p5").pixels == [0, 1, 128, 255].map { Float($0) / 255 })

        let values = [0, 258, 65534, 65535]
        let p5wide = Array("P5 4 1 65535\n".utf8) + values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try ImageDecoder.decode(p5wide, source: "p5-16").pixels == values.map { Float($0) / 65535 })
    }

    @Test func binaryColourWithOddMaxval() throws {
        let rgb = [(1000, 0, 500), (1, 999, 1000)]
        let p6 = Array("P6 2 1 1000\n".utf8) + rgb.flatMap { [$0.0, $0.1, $0.2] }.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let decoded = try ImageDecoder.decode(p6, source: "p6")
        #expect(decoded.shape == ImageShape(channels: 3, height: 1, width: 2))
        #expect(decoded.pixels == [1000, 1, 0, 999, 500, 1000].map { Float($0) / 1000 })

        let p6byte = Array("P6 1 1 255\n".utf8) + [10, 20, 30]
        #expect(try ImageDecoder.decode(p6byte, source: "p6b").pixels == [10, 20, 30].map { Float($0) / 255 })
    }

    @Test func badInputs() {
        #expect(decodingError(Array("P5 0 4 255\n".utf8))?.reason.contains("0-sized") == true)
        #expect(decodingError(Array("P5 2 2 0\n".utf8))?.reason.contains("maxval") == true)
        #expect(decodingError(Array("P5 2 2 70000\n".utf8))?.reason.contains("maxval") == true)
        #expect(decodingError(Array("P5 2 2 255\n".utf8) + [1, 2])?.reason.contains("truncated") == true)
        #expect(decodingError(Array("P2 2 1 9\n3 10\n".utf8))?.reason.contains("above maxval") == true)
        #expect(decodingError(Array("P2 2 1 9\n3\n".utf8))?.reason.contains("truncated") == true)
        #expect(decodingError(Array("P5 x 1 9\n".utf8))?.reason.contains("width") == true)
        #expect(decodingError(Array("P6 100000 100000 255\n".utf8))?.reason.contains("too large") == true)
        // Within the limit but with no raster: refused from the byte count alone.
        #expect(decodingError(Array("P5 7000 7000 255\n123".utf8))?.reason.contains("truncated") == true)
        #expect(decodingError(Array("P2 7000 7000 255\n1 2 3".utf8))?.reason.contains("truncated") == true)
    }
}
