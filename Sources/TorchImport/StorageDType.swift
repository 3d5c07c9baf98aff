/// Element types of torch storages, named as in `torch.<Name>Storage`.
enum StorageDType: CaseIterable {
    case float32, float16, bfloat16, float64
    case int64, int32, int16, int8, uint8, bool
    case complex64, complex128

    init?(storageName: String) {
        guard let found = Self.allCases.first(where: { $0.storageName == storageName }) else { return nil }
        self = found
    }

    var storageName: String {
        switch self {
        case .float32: return "FloatStorage"
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .float64: return "DoubleStorage"
        case .int64: return "LongStorage"
        case .int32: return "IntStorage"
        case .int16: return "ShortStorage"
        case .int8: return "CharStorage"
        case .uint8: return "ByteStorage"
        case .bool: return "BoolStorage"
        case .complex64: return "ComplexFloatStorage"
        case .complex128: return "ComplexDoubleStorage"
        }
    }

    var byteWidth: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float16, .bfloat16, .int16: return 2
        case .float32, .int32: return 4
        case .float64, .int64, .complex64: return 8
        case .complex128: return 16
        }
    }

    /// Real floating types become Float32 tensors; the rest go to `skipped`.
    var isRealFloating: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: return true
        default: return false
        }
    }
}
