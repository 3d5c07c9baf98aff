import CertData
import CertShape
import Testing

@Suite("NumPy .npy")
struct NPYTests {
    private let ramp: [Float] = (0..<24).map { Float($0) / 23 }

    @Test func float32HW() throws {
        let npy = NPYBuilder.build(descr: "<f4", shape: [4, 6], data: NPYBuilder.float32(ramp))
        let decoded = try ImageDecoder.decode(npy, source: "hw.npy")
        #expect(decoded == DecodedImage(shape: ImageShape(channels: 1, height: 4, width: 6), pixels: ramp))
    }

    @Test func float32CHWAndBatchOfOne() throws {
        for shape in [[3, 2, 4], [1, 3, 2, 4]] {
            let npy = NPYBuilder.build(descr: "<f4", shape: shape, data: NPYBuilder.float32(ramp), version: 2)
            let decoded = try ImageDecoder.decode(npy, source: "chw.npy")
            #expect(decoded == DecodedImage(shape: ImageShape(channels: 3, height: 2, width: 4), pixels: ramp))
        }
    }

    @Test func uint8IsScaled() throws {
        let bytes: [UInt8] = [0, 1, 127, 255, 3, 200]
        for descr in ["|u1", "u1"] {
            let npy = NPYBuilder.build(descr: descr, shape: [1, 2, 3], data: bytes)
            let decoded = try ImageDecoder.decode(npy, source: "u8.npy")
            #expect(decoded.shape == ImageShape(channels: 1, height: 2, width: 3))
            #expect(decoded.pixels == bytes.map { Float($0) / 255 })
        }
    }

    @Test func float64IsAccepted() throws {
        let values: [Double] = [0, 0.25, 1, 0.5]
        let data = values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
        let decoded = try ImageDecoder.decode(NPYBuilder.build(descr: "<f8", shape: [2, 2], data: data), source: "f8")
        #expect(decoded.pixels == [0, 0.25, 1, 0.5])
    }

    @Test func channelsLastIsTransposed() throws {
        // (H, W, C) = (2, 4, 3): value at [y, x, c] is ramp[(y*4 + x)*3 + c].
        let npy = NPYBuilder.build(descr: "<f4", shape: [2, 4, 3], data: NPYBuilder.float32(ramp))
        let decoded = try ImageDecoder.decode(npy, source: "hwc.npy")
        #expect(decoded.shape == ImageShape(channels: 3, height: 2, width: 4))
        for c in 0..<3 {
            for p in 0..<8 { #expect(decoded.pixels[c * 8 + p] == ramp[p * 3 + c]) }
        }
        // (28, 28, 1) is one grey image too.
        let grey = NPYBuilder.build(descr: "|u1", shape: [28, 28, 1], data: [UInt8](repeating: 255, count: 784))
        #expect(try ImageDecoder.decode(grey, source: "g").shape == ImageShape(channels: 1, height: 28, width: 28))
        // (3, 32, 32) stays channel-first.
        let chw = NPYBuilder.build(descr: "|u1", shape: [3, 32, 3], data: [UInt8](repeating: 0, count: 288))
        #expect(try ImageDecoder.decode(chw, source: "c").shape == ImageShape(channels: 3, height: 32, width: 3))
    }

    @Test func nanAndOutOfRangeNameTheIndex() {
        var values = ramp
        values[9] = .nan
        let nan = NPYBuilder.build(descr: "<f4", shape: [4, 6], data: NPYBuilder.float32(values))
        let error = decodingError(nan, source: "nan.npy")
        #expect(error?.reason == "npy value nan at index (1, 3) is not finite")

        values[9] = 0.5
        values[20] = 1.5
        let big = NPYBuilder.build(descr: "<f4", shape: [4, 6], data: NPYBuilder.float32(values))
        #expect(decodingError(big)?.reason == "npy value 1.5 at index (3, 2) is outside [0, 1]")

        values[20] = -.infinity
        let inf = NPYBuilder.build(descr: "<f4", shape: [4, 6], data: NPYBuilder.float32(values))
        #expect(decodingError(inf)?.reason.contains("not finite") == true)
    }

    @Test func badHeadersAndLayouts() {
        let data = NPYBuilder.float32(ramp)
        let cases: [([UInt8], String)] = [
            (NPYBuilder.build(descr: "<f4", shape: [4, 6], fortran: true, data: data), "Fortran"),
            (NPYBuilder.build(descr: ">f4", shape: [4, 6], data: data), "big-endian"),
            (NPYBuilder.build(descr: "<i8", shape: [4, 6], data: data), "not supported"),
            (NPYBuilder.build(descr: "<f4", shape: [24], data: data), "not an image"),
            (NPYBuilder.build(descr: "<f4", shape: [2, 3, 2, 2], data: data), "batch of 2"),
            (NPYBuilder.build(descr: "<f4", shape: [0, 6], data: []), "0-sized"),
            (NPYBuilder.build(descr: "<f4", shape: [5, 6], data: data), "truncated"),
            (NPYBuilder.build(descr: "<f4", shape: [4, 5], data: data), "unexpected bytes"),
            (NPYBuilder.build(descr: "<f4", shape: [100_000, 100_000], data: data), "too large"),
            ([0x93] + Array("NUMPY".utf8) + [1, 0, 200, 0] + Array("{'descr'".utf8), "bad npy header"),
            ([0x93] + Array("NUMPY".utf8) + [1, 0, 8, 0] + Array("{'a': 1}".utf8), "bad npy header"),
            ([0x93] + Array("NUMPY".utf8) + [9, 0, 0, 0], "version 9.0"),
        ]
        for (bytes, fragment) in cases {
            let reason = decodingError(bytes)?.reason ?? ""
            #expect(reason.contains(fragment), "\(reason) should mention \(fragment)")
        }
    }
}
