import CTurboJPEG
import CertData
import CertShape
import Testing

/// Encodes interleaved 8-bit samples with TurboJPEG at quality 100.
func encodeJPEG(_ samples: [UInt8], width: Int, height: Int, grey: Bool) -> [UInt8] {
    guard let handle = tjInitCompress() else { fatalError("tjInitCompress failed") }
    defer { tjDestroy(handle) }
    var jpeg: UnsafeMutablePointer<UInt8>? = nil
    var size: UInt = 0
    let rc = samples.withUnsafeBufferPointer {
        tjCompress2(
            handle, $0.baseAddress, Int32(width), 0, Int32(height),
            Int32((grey ? TJPF_GRAY : TJPF_RGB).rawValue), &jpeg, &size,
            Int32((grey ? TJSAMP_GRAY : TJSAMP_444).rawValue), 100, TJFLAG_ACCURATEDCT)
    }
    precondition(rc == 0 && jpeg != nil, "tjCompress2 failed")
    defer { tjFree(jpeg) }
    return Array(UnsafeBufferPointer(start: jpeg, count: Int(size)))
}

/// A smooth RGB (or grey) ramp: JPEG at quality 100 keeps it within a few levels.
func smoothSamples(width: Int, height: Int, channels: Int) -> [UInt8] {
    var out: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels {
                out.append(UInt8(40 + (x * 4 + y * 2 + c * 30) % 170))
            }
        }
    }
    return out
}

@Suite("JPEG")
struct JPEGTests {
    @Test(arguments: [1, 3])
    func roundTripWithinTolerance(channels: Int) throws {
        let (w, h) = (32, 24)
        let samples = smoothSamples(width: w, height: h, channels: channels)
        let jpeg = encodeJPEG(samples, width: w, height: h, grey: channels == 1)
        let decoded = try ImageDecoder.decode(jpeg, source: "ramp.jpg")
        #expect(decoded.shape == ImageShape(channels: channels, height: h, width: w))
        var worst: Float = 0
        for p in 0..<(w * h) {
            for c in 0..<channels {
                let expected = Float(samples[p * channels + c]) / 255
                worst = max(worst, abs(decoded.pixels[c * w * h + p] - expected))
            }
        }
        #expect(worst <= 4.0 / 255, "largest difference \(worst * 255) levels")
    }

    @Test func cmykIsRefusedClearly() {
        guard let handle = tjInitCompress() else { Issue.record("tjInitCompress failed"); return }
        defer { tjDestroy(handle) }
        let cmyk = [UInt8](repeating: 100, count: 8 * 8 * 4)
        var jpeg: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = tjCompress2(
            handle, cmyk, 8, 0, 8, Int32(TJPF_CMYK.rawValue), &jpeg, &size,
            Int32(TJSAMP_444.rawValue), 90, 0)
        defer { tjFree(jpeg) }
        #expect(rc == 0)
        let bytes = Array(UnsafeBufferPointer(start: jpeg, count: Int(size)))
        #expect(decodingError(bytes)?.reason.contains("CMYK") == true)
    }

    @Test func garbageAfterMagicIsAnError() {
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF] + (0..<200).map { UInt8(($0 * 37 + 11) % 251) }
        let error = decodingError(bytes, source: "junk.jpg")
        #expect(error?.reason.contains("JPEG") == true)
    }

    @Test func truncatedJPEGIsAnError() {
        let jpeg = encodeJPEG(smoothSamples(width: 64, height: 64, channels: 3), width: 64, height: 64, grey: false)
        // Libjpeg only warns on a premature end and fills in grey; that must not pass.
        let error = decodingError(Array(jpeg.prefix(jpeg.count * 2 / 3)), source: "cut.jpg")
        #expect(error?.reason == "corrupt JPEG: Premature end of JPEG file")
    }

    @Test func garbageInsideScanDataIsAnError() {
        var jpeg = encodeJPEG(smoothSamples(width: 64, height: 64, channels: 3), width: 64, height: 64, grey: false)
        // Markers in the entropy-coded data are what real corruption often looks like.
        for i in stride(from: jpeg.count / 2, to: jpeg.count / 2 + 40, by: 2) { jpeg[i] = 0xFF; jpeg[i + 1] = 0xD0 }
        _ = decodingError(jpeg, source: "garbled.jpg")
    }
}
