import CertShape

/// NumPy .npy arrays holding one image: float32 (or float64) in [0, 1], or uint8 (/255).
enum NPYDecoder {
    private enum DType {
        case float32, float64, uint8
        var size: Int { self == .float32 ? 4 : (self == .float64 ? 8 : 1) }
    }

    static func decode(_ bytes: [UInt8], limit: Int = ImageLimits.maximumValues, expecting: ImageShape? = nil) throws -> DecodedImage {
        let (header, offset) = try NPYHeader.read(bytes)
        let dtype = try dtype(header.descr)
        guard !header.fortranOrder else {
            throw DecodeFailure("npy array is in Fortran order; save it in C order (np.ascontiguousarray)")
        }
        let shape = header.shape
        let (chw, hwc) = try layout(shape)
        let count = try ImageLimits.checkedCount(
            channels: chw.channels, height: chw.height, width: chw.width, limit: limit, expecting: expecting)

        let needed = count * dtype.size
        let available = bytes.count - offset
        guard available >= needed else {
            throw DecodeFailure("truncated npy: data has \(available) bytes, shape \(tuple(shape)) of '\(header.descr)' needs \(needed)")
        }
        guard available == needed else {
            throw DecodeFailure("corrupt npy: \(available - needed) unexpected bytes after the array data")
        }

        var values = [Float](repeating: 0, count: count)
        try bytes.withUnsafeBytes { raw in
            let data = UnsafeRawBufferPointer(rebasing: raw[offset...])
            for k in 0..<count {
                let v: Float
                switch dtype {
                case .uint8:
                    values[k] = Float(data[k]) / 255
                    continue
                case .float32:
                    v = Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)))
                case .float64:
                    let d = Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))
                    guard d.isFinite, d >= 0, d <= 1 else { throw badValue("\(d)", finite: d.isFinite, k, shape) }
                    v = Float(d)
                }
                guard v.isFinite, v >= 0, v <= 1 else { throw badValue("\(v)", finite: v.isFinite, k, shape) }
                values[k] = v
            }
        }
        return DecodedImage(shape: chw, pixels: hwc ? transposed(values, chw) : values)
    }

    private static func dtype(_ descr: String) throws -> DType {
        switch descr {
        case "<f4": return .float32
        case "<f8": return .float64
        case "|u1", "u1", "<u1", ">u1", "B", "uint8": return .uint8
        case ">f4", ">f8":
            throw DecodeFailure("npy dtype '\(descr)' is big-endian; save little-endian float32 ('<f4')")
        default:
            throw DecodeFailure("npy dtype '\(descr)' is not supported (float32 '<f4', float64 '<f8', uint8 '|u1')")
        }
    }

    /// The CHW shape and whether the file is HWC. (H, W, C) is recognised only when C is
    /// 1 or 3 and the leading dimension is not, so (3, 32, 32) stays channel-first.
    private static func layout(_ s: [Int]) throws -> (ImageShape, Bool) {
        if s.contains(0) { throw DecodeFailure("npy shape \(tuple(s)) has a 0-sized dimension") }
        switch s.count {
        case 2:
            return (ImageShape(channels: 1, height: s[0], width: s[1]), false)
        case 3 where ![1, 3].contains(s[0]) && [1, 3].contains(s[2]):
            return (ImageShape(channels: s[2], height: s[0], width: s[1]), true)
        case 3:
            return (ImageShape(channels: s[0], height: s[1], width: s[2]), false)
        case 4 where s[0] == 1:
            return (ImageShape(channels: s[1], height: s[2], width: s[3]), false)
        case 4:
            throw DecodeFailure("npy shape \(tuple(s)) holds a batch of \(s[0]) images; one image per file")
        default:
            throw DecodeFailure("npy shape \(tuple(s)) is not an image: expected (H, W), (C, H, W), (1, C, H, W) or (H, W, C)")
        }
    }

    private static func transposed(_ hwc: [Float], _ shape: ImageShape) -> [Float] {
        let plane = shape.height * shape.width, c = shape.channels
        var chw = [Float](repeating: 0, count: hwc.count)
        for p in 0..<plane {
            for k in 0..<c { chw[k * plane + p] = hwc[p * c + k] }
        }
        return chw
    }

    private static func badValue(_ v: String, finite: Bool, _ flat: Int, _ shape: [Int]) -> DecodeFailure {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = flat
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        let why = finite ? "is outside [0, 1]" : "is not finite"
        return DecodeFailure("npy value \(v) at index \(tuple(index)) \(why)")
    }

    private static func tuple(_ s: [Int]) -> String {
        s.count == 1 ? "(\(s[0]),)" : "(" + s.map(String.init).joined(separator: ", ") + ")"
    }
}
