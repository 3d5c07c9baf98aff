import CertData
import CertMath
import Testing

/// No input may crash the decoders: each mutation either decodes to a valid image
/// or throws `ImageDecodingError`.
@Suite("Fuzzing")
struct FuzzTests {
    static func samples() throws -> [(String, [UInt8])] {
        let grey = gradientImage(channels: 1, height: 8, width: 8, levels: 255)
        let colour = gradientImage(channels: 3, height: 8, width: 8, levels: 255)
        return [
            ("png8", try PNGEncoder.encode(grey)),
            ("png16", try PNGEncoder.encode(colour, bitDepth: 16)),
            (
                "palette",
                PNGBuilder.build(
                    width: 2, height: 2, bitDepth: 8, colourType: 3, rows: [[0, 1], [1, 0]],
                    extraChunks: [("PLTE", [1, 2, 3, 4, 5, 6])])
            ),
            ("jpeg", encodeJPEG(smoothSamples(width: 16, height: 16, channels: 3), width: 16, height: 16, grey: false)),
            ("npy", NPYBuilder.build(descr: "<f4", shape: [3, 4, 4], data: NPYBuilder.float32(colour.pixels.prefix(48).map { $0 }))),
            ("pgm", Array("P5\n# c\n4 4\n255\n".utf8) + (0..<16).map { UInt8($0 * 16) }),
            ("ppm-ascii", Array("P3 2 2 65535\n0 1 2 3 4 5 6 7 8 9 10 65535\n".utf8)),
        ]
    }

    private func check(_ bytes: [UInt8], _ label: String) {
        do {
            let image = try ImageDecoder.decode(bytes, source: label)
            #expect(image.pixels.count == image.shape.count)
            #expect(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(label) gave values outside [0, 1]")
        } catch is ImageDecodingError {
        } catch {
            Issue.record("\(label): unexpected error \(error)")
        }
    }

    @Test func everyTruncation() throws {
        for (name, bytes) in try Self.samples() {
            for length in 0..<bytes.count { check(Array(bytes.prefix(length)), "\(name) cut at \(length)") }
        }
    }

    @Test func randomByteMutations() throws {
        var rng = SplitMix64(seed: 20_250_430)
        for (name, original) in try Self.samples() {
            for round in 0..<300 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                check(bytes, "\(name) mutation \(round)")
            }
        }
    }
}
