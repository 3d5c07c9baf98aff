import CertData
import CertShape
import Foundation
import Testing

@Suite("Core types")
struct CoreTypesTests {
    @Test func shapeDescriptionAndCount() throws {
        let shape = ImageShape(channels: 1, height: 28, width: 28)
        #expect(shape.description == "1x28x28")
        #expect(shape.count == 784)
        let data = try JSONEncoder().encode(shape)
        #expect(try JSONDecoder().decode(ImageShape.self, from: data) == shape)
    }

    @Test func errorIsOneLine() {
        let error = ImageDecodingError(source: "a\nb.png", reason: "bad\nthing")
        #expect(error.description == "a b.png: bad thing")
    }

    @Test func formatComesFromMagicBytes() {
        #expect(ImageDecoder.detectFormat([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageDecoder.detectFormat([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageDecoder.detectFormat(Array("P5\n1 1\n255\n\0".utf8)) == .pnm)
        #expect(ImageDecoder.detectFormat(Array("P3 1 1 255 0 0 0".utf8)) == .pnm)
        #expect(ImageDecoder.detectFormat([0x93] + Array("NUMPY".utf8) + [1, 0]) == .npy)
        #expect(ImageDecoder.detectFormat(Array("P1\n1 1\n0".utf8)) == nil)
        #expect(ImageDecoder.detectFormat(Array("GIF89a".utf8)) == nil)
        #expect(ImageDecoder.detectFormat([]) == nil)
    }

    @Test func emptyAndUnknownInputs() {
        #expect(decodingError([], source: "x.png")?.description == "x.png: empty file")
        let unknown = decodingError(Array("GIF89a....".utf8))
        #expect(unknown?.reason.contains("unknown image format") == true)
        #expect(unknown?.reason.contains("PNG, JPEG") == true)
    }

    @Test func wrongShapeIsRefused() throws {
        let colour = gradientImage(channels: 3, height: 32, width: 32, levels: 255)
        let png = try PNGEncoder.encode(colour)
        let error = decodingError(png, source: "cifar.png", expecting: ImageShape(channels: 1, height: 28, width: 28))
        #expect(
            error
                == ImageDecodingError(
                    source: "cifar.png",
                    reason: "image is 3x32x32 but the model set expects 1x28x28"))
        let same = try ImageDecoder.decode(png, source: "ok", expecting: colour.shape)
        #expect(same == colour)
    }
}
