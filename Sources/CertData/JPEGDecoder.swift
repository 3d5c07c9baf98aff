import CTurboJPEG
import CertShape

/// JPEG through the TurboJPEG API: greyscale files give 1 channel, colour files 3 (RGB).
enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], limit: Int = ImageLimits.maximumValues, expecting: ImageShape? = nil) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else {
            throw DecodeFailure("could not start the JPEG decoder")
        }
        defer { tjDestroy(handle) }

        return try bytes.withUnsafeBufferPointer { jpeg -> DecodedImage in
            let size = UInt(jpeg.count)
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
            guard
                tjDecompressHeader3(
                    handle, jpeg.baseAddress, size, &width, &height,
                    &subsampling, &colourspace) == 0
            else {
                throw failure(handle)
            }
            // TurboJPEG accepts a header with no frame (SOF) and reports 0×0: not an image.
            guard width > 0, height > 0 else { throw DecodeFailure("corrupt JPEG: no frame header (image size 0x0)") }
            if colourspace == Int32(TJCS_CMYK.rawValue) || colourspace == Int32(TJCS_YCCK.rawValue) {
                throw DecodeFailure("CMYK JPEG is not supported; convert it to RGB or greyscale")
            }
            let grey = colourspace == Int32(TJCS_GRAY.rawValue)
            let channels = grey ? 1 : 3
            let h = Int(height), w = Int(width)
            let count = try ImageLimits.checkedCount(channels: channels, height: h, width: w, limit: limit, expecting: expecting)

            var interleaved = [UInt8](repeating: 0, count: count)
            let format = grey ? TJPF_GRAY : TJPF_RGB
            // A warning (say, premature end of data) means some pixels were invented:
            // stop on it and treat it as an error, not a usable image.
            let flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING
            let rc = interleaved.withUnsafeMutableBufferPointer {
                tjDecompress2(
                    handle, jpeg.baseAddress, size, $0.baseAddress, width, 0, height,
                    Int32(format.rawValue), flags)
            }
            guard rc == 0 else { throw failure(handle) }
            return planar(interleaved, channels: channels, height: h, width: w)
        }
    }

    private static func planar(_ src: [UInt8], channels: Int, height: Int, width: Int) -> DecodedImage {
        let plane = height * width
        var pixels = [Float](repeating: 0, count: channels * plane)
        for p in 0..<plane {
            for c in 0..<channels {
                pixels[c * plane + p] = Float(src[p * channels + c]) / 255
            }
        }
        return DecodedImage(
            shape: ImageShape(channels: channels, height: height, width: width),
            pixels: pixels)
    }

    private static func failure(_ handle: tjhandle) -> DecodeFailure {
        // Warnings (TJERR_WARNING) land here too, on purpose: see TJFLAG_STOPONWARNING.
        let text = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
        return DecodeFailure("corrupt JPEG: \(text)")
    }
}
