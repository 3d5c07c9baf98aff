import CPNG
import CertData
import CertShape
import Testing

@Suite("PNG")
struct PNGTests {
    @Test(arguments: [1, 3])
    func roundTrip8Bit(channels: Int) throws {
        let image = gradientImage(channels: channels, height: 17, width: 23, levels: 255)
        let png = try PNGEncoder.encode(image)
        let decoded = try ImageDecoder.decode(png, source: "rt8")
        #expect(decoded.shape == image.shape)
        #expect(decoded.pixels == image.pixels)  // exactly k/255
    }

    @Test(arguments: [1, 3])
    func roundTrip16Bit(channels: Int) throws {
        var image = gradientImage(channels: channels, height: 9, width: 11, levels: 65535)
        image.pixels = image.pixels.indices.map { Float(($0 * 4099) % 65536) / 65535 }
        let png = try PNGEncoder.encode(image, bitDepth: 16)
        let decoded = try ImageDecoder.decode(png, source: "rt16")
        #expect(decoded.shape == image.shape)
        #expect(decoded.pixels == image.pixels)  // exactly k/65535
    }

    @Test func encoderClampsAndRounds() throws {
        let image = DecodedImage(
            shape: ImageShape(channels: 1, height: 1, width: 4),
            pixels: [-0.5, 1.5, 0.5, 10.2 / 255])
        let decoded = try ImageDecoder.decode(try PNGEncoder.encode(image), source: "clamp")
        #expect(decoded.pixels == [0, 1, 128 / 255, 10 / 255])
    }

    @Test func encoderRefusesBadInput() {
        let nan = DecodedImage(shape: ImageShape(channels: 1, height: 1, width: 2), pixels: [0, .nan])
        #expect(throws: ImageDecodingError.self) { try PNGEncoder.encode(nan) }
        let two = DecodedImage(shape: ImageShape(channels: 2, height: 1, width: 1), pixels: [0, 0])
        #expect(throws: ImageDecodingError.self) { try PNGEncoder.encode(two) }
        let short = DecodedImage(shape: ImageShape(channels: 1, height: 2, width: 2), pixels: [0])
        #expect(throws: ImageDecodingError.self) { try PNGEncoder.encode(short) }
        let ok = DecodedImage(shape: ImageShape(channels: 1, height: 1, width: 1), pixels: [0])
        #expect(throws: ImageDecodingError.self) { try PNGEncoder.encode(ok, bitDepth: 4) }
    }

    /// Known 16-bit values with a gAMA chunk: still exactly value/65535, no gamma step.
    @Test func sixteenBitGreyKnownValues() throws {
        let values = [0, 1, 2, 255, 256, 12345, 32768, 65534, 65535]
        let png = PNGBuilder.build(
            width: values.count, height: 1, bitDepth: 16, colourType: 0,
            rows: [values.flatMap(PNGBuilder.be16)],
            extraChunks: [("gAMA", PNGBuilder.be32(45455))])
        let decoded = try ImageDecoder.decode(png, source: "g16")
        #expect(decoded.shape == ImageShape(channels: 1, height: 1, width: values.count))
        #expect(decoded.pixels == values.map { Float($0) / 65535 })
    }

    @Test func sixteenBitRGBKnownValues() throws {
        let rgb = [(0, 65535, 1000), (40000, 7, 65535)]
        let png = PNGBuilder.build(
            width: 2, height: 1, bitDepth: 16, colourType: 2,
            rows: [rgb.flatMap { PNGBuilder.be16($0.0) + PNGBuilder.be16($0.1) + PNGBuilder.be16($0.2) }],
            extraChunks: [("sRGB", [0])])
        let decoded = try ImageDecoder.decode(png, source: "rgb16")
        let expected: [Float] = [0, 40000, 65535, 7, 1000, 65535].map { Float($0) / 65535 }
        #expect(decoded.shape == ImageShape(channels: 3, height: 1, width: 2))
        #expect(decoded.pixels == expected)
    }

    /// A gAMA of 1.0 would make libpng re-encode 8-bit samples; values must stay as stored.
    @Test func eightBitWithGammaChunkIsNotConverted() throws {
        let row: [UInt8] = [0, 1, 64, 128, 200, 255]
        let png = PNGBuilder.build(
            width: row.count, height: 1, bitDepth: 8, colourType: 0, rows: [row],
            extraChunks: [("gAMA", PNGBuilder.be32(100000))])
        let decoded = try ImageDecoder.decode(png, source: "gamma")
        #expect(decoded.pixels == row.map { Float($0) / 255 })
    }

    @Test func lowBitDepthGrey() throws {
        // 4-bit grey: two pixels a byte; libpng scales v to v*17 before we divide by 255.
        let values: [UInt8] = [0, 3, 9, 15]
        let png = PNGBuilder.build(
            width: 4, height: 1, bitDepth: 4, colourType: 0,
            rows: [[values[0] << 4 | values[1], values[2] << 4 | values[3]]])
        let decoded = try ImageDecoder.decode(png, source: "g4")
        #expect(decoded.pixels == values.map { Float(Int($0) * 17) / 255 })
    }

    @Test func interlacedGrey() throws {
        // Adam7 on 2x2: pass 1 holds (0,0), pass 6 holds (1,0), pass 7 holds row 1.
        let png = PNGBuilder.build(
            width: 2, height: 2, bitDepth: 8, colourType: 0,
            rows: [[10], [20], [30, 40]], interlaced: true)
        let decoded = try ImageDecoder.decode(png, source: "adam7")
        #expect(decoded.pixels == [10, 20, 30, 40].map { Float($0) / 255 })
    }

    @Test func paletteBecomesRGB() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 128, 255, 10, 20, 30]
        let indices: [[UInt8]] = [[0, 1, 2], [2, 2, 0]]
        let png = PNGBuilder.build(
            width: 3, height: 2, bitDepth: 8, colourType: 3, rows: indices,
            extraChunks: [("PLTE", palette), ("tRNS", [0, 128])])
        let decoded = try ImageDecoder.decode(png, source: "palette")
        #expect(decoded.shape == ImageShape(channels: 3, height: 2, width: 3))
        let flat = indices.flatMap { $0 }
        let expected = (0..<3).flatMap { c in flat.map { Float(palette[Int($0) * 3 + c]) / 255 } }
        #expect(decoded.pixels == expected)  // transparency dropped, colours untouched
    }

    @Test func alphaIsDropped8Bit() throws {
        let rgba: [[UInt8]] = [[10, 20, 30, 0], [200, 100, 50, 128], [1, 2, 3, 255]]
        let png = PNGBuilder.build(width: 3, height: 1, bitDepth: 8, colourType: 6, rows: [rgba.flatMap { $0 }])
        let decoded = try ImageDecoder.decode(png, source: "rgba8")
        #expect(decoded.shape == ImageShape(channels: 3, height: 1, width: 3))
        let expected = (0..<3).flatMap { c in rgba.map { Float($0[c]) / 255 } }
        #expect(decoded.pixels == expected)

        let greyAlpha = PNGBuilder.build(width: 2, height: 1, bitDepth: 8, colourType: 4, rows: [[77, 0, 200, 9]])
        #expect(try ImageDecoder.decode(greyAlpha, source: "ga8").pixels == [77 / 255, 200 / 255])
    }

    /// libpng premultiplies 16-bit colour by alpha; the decoder divides it back out.
    @Test func alphaIsDropped16Bit() throws {
        let pixels = [(50000, 65535), (50000, 40000), (12345, 65535), (50000, 0)]
        let png = PNGBuilder.build(
            width: 4, height: 1, bitDepth: 16, colourType: 4,
            rows: [pixels.flatMap { PNGBuilder.be16($0.0) + PNGBuilder.be16($0.1) }])
        let decoded = try ImageDecoder.decode(png, source: "ga16")
        #expect(decoded.shape == ImageShape(channels: 1, height: 1, width: 4))
        #expect(decoded.pixels[0] == Float(50000) / 65535)
        #expect(abs(decoded.pixels[1] - Float(50000) / 65535) < 1.0 / 40000)
        #expect(decoded.pixels[2] == Float(12345) / 65535)
        #expect(decoded.pixels[3] == 0)  // colour of a fully transparent pixel is lost
    }

    @Test func truncatedPNG() throws {
        let png = try PNGEncoder.encode(gradientImage(channels: 3, height: 16, width: 16, levels: 255))
        let error = decodingError(Array(png.prefix(png.count / 2)), source: "cut.png")
        #expect(error?.reason.hasPrefix("truncated or corrupt PNG: ") == true)
        #expect((error?.reason.count ?? 0) > "truncated or corrupt PNG: ".count)
    }

    @Test func absurdDimensionsAreRefusedBeforeAllocating() {
        // 100000 x 100000 passes libpng's own limits but not ours.
        let png = PNGBuilder.build(width: 100_000, height: 100_000, bitDepth: 8, colourType: 2, rows: [[0]])
        #expect(decodingError(png)?.reason.contains("too large") == true)
    }
}
