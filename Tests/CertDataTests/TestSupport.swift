import CLibz
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

/// `<package root>/../shared`: only the tests of the real MNIST file look there.
let sharedFolder: URL = PackagePaths.shared

let mnistPath = sharedFolder.appendingPathComponent("data/mnist_5k.csv.gz").path
let hasMNIST = FileManager.default.fileExists(atPath: mnistPath)

/// Decodes and returns the error, or records an issue when decoding succeeds.
func decodingError(
    _ bytes: [UInt8], source: String = "test",
    expecting: ImageShape? = nil
) -> ImageDecodingError? {
    do {
        let image = try ImageDecoder.decode(bytes, source: source, expecting: expecting)
        Issue.record("decoded unexpectedly to \(image.shape)")
        return nil
    } catch let error as ImageDecodingError {
        #expect(!error.description.contains("\n"))
        return error
    } catch {
        Issue.record("wrong error type: \(error)")
        return nil
    }
}

/// A CHW test image of k/levels values that vary smoothly.
func gradientImage(channels: Int, height: Int, width: Int, levels: Int) -> DecodedImage {
    var pixels: [Float] = []
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width {
                let k = (x * 7 + y * 13 + c * 101) % (levels + 1)
                pixels.append(Float(k) / Float(levels))
            }
        }
    }
    return DecodedImage(shape: ImageShape(channels: channels, height: height, width: width), pixels: pixels)
}

/// Hand-built PNG files, for what libpng's simplified writer cannot make (palettes,
/// 16-bit alpha, gamma chunks, odd bit depths). Chunk CRCs come from zlib's crc32.
enum PNGBuilder {
    /// `rows` are unfiltered scanlines (the filter byte 0 is added here); for an
    /// interlaced file they are the reduced rows of the Adam7 passes, in order.
    static func build(
        width: Int, height: Int, bitDepth: UInt8, colourType: UInt8,
        rows: [[UInt8]], extraChunks: [(String, [UInt8])] = [],
        interlaced: Bool = false
    ) -> [UInt8] {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr = be32(width) + be32(height) + [bitDepth, colourType, 0, 0, interlaced ? 1 : 0]
        png += chunk("IHDR", ihdr)
        for (type, data) in extraChunks { png += chunk(type, data) }
        png += chunk("IDAT", deflate(rows.flatMap { [0] + $0 }))
        png += chunk("IEND", [])
        return png
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
        return be32(data.count) + typed + be32(Int(crc))
    }

    static func be32(_ v: Int) -> [UInt8] {
        [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var size = compressBound(UInt(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let rc = compress(&out, &size, data, UInt(data.count))
        precondition(rc == Z_OK)
        return Array(out.prefix(Int(size)))
    }
}

/// Hand-built .npy files.
enum NPYBuilder {
    static func build(
        descr: String, shape: [Int], fortran: Bool = false, data: [UInt8],
        version: UInt8 = 1
    ) -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(dims), }".utf8)
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        let n = header.count
        out +=
            version == 1
            ? [UInt8(n & 0xFF), UInt8(n >> 8)]
            : [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
        return out + header + data
    }

    static func float32(_ values: [Float]) -> [UInt8] {
        values.flatMap { v -> [UInt8] in
            let b = v.bitPattern.littleEndian
            return [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
        }
    }
}
