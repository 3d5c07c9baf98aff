import Foundation

/// Whole-storage conversion from little-endian raw bytes to Float32. One tight loop per
/// dtype over raw pointers (Float32 is a single memcpy), so loading stays I/O-bound.
enum StorageConversion {
    static func floats(_ bytes: [UInt8], dtype: StorageDType, count: Int) throws -> [Float] {
        guard dtype.isRealFloating else { throw ImportFailure("\(dtype.storageName) is not a floating storage") }
        guard count >= 0, bytes.count / dtype.byteWidth >= count else {
            throw ImportFailure("storage holds \(bytes.count) bytes, fewer than \(count) \(dtype.storageName) elements")
        }
        return bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                defer { initialized = count }
                guard count > 0, let dst = out.baseAddress, let src = raw.baseAddress else { return }
                switch dtype {
                case .float32:
                    #if _endian(little)
                        memcpy(dst, src, count * 4)
                    #else
                        for i in 0..<count {
                            dst[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                        }
                    #endif
                case .float64:
                    for i in 0..<count {
                        let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        dst[i] = Float(Double(bitPattern: bits))
                    }
                case .float16:
                    for i in 0..<count {
                        dst[i] = halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    }
                case .bfloat16:
                    // bfloat16 is the top half of a float32.
                    for i in 0..<count {
                        let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        dst[i] = Float(bitPattern: UInt32(bits) << 16)
                    }
                default:
                    break  // unreachable: checked above
                }
            }
        }
    }

    /// IEEE binary16 to binary32, exact for every input (written out rather than using
    /// Swift's Float16, which some platforms lack).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:  // zero or subnormal: mantissa * 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        case 0x1F:  // infinity or NaN (payload kept)
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
