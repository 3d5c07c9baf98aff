/// The security boundary of the unpickler: a pickle may only name these globals, and
/// naming one does nothing but produce a token. Anything else is refused by name, so a
/// crafted checkpoint can never reach os.system, eval, builtins.getattr and the like.
enum TorchGlobal {
    case orderedDict
    case rebuildTensorV2
    case rebuildParameter
    case storageType(StorageDType)

    var name: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .storageType(let dtype): return "torch.\(dtype.storageName)"
        }
    }

    static func resolve(module: String, name: String) throws -> TorchGlobal {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): return .rebuildParameter
        case ("torch.storage", "_load_from_bytes"):
            // Pickled storages inside a pickle: the pre-1.6 legacy format nested in a zip.
            throw ImportFailure(
                "refusing global torch.storage._load_from_bytes: legacy nested storage "
                    + "serialization is not supported; re-save with torch>=1.6")
        case ("torch", _):
            if let dtype = StorageDType(storageName: name) { return .storageType(dtype) }
        default:
            break
        }
        throw ImportFailure("refusing pickle global \(module).\(name): not on the whitelist of torch state-dict globals")
    }
}
