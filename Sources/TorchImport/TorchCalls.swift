/// What REDUCE, NEWOBJ, BUILD and BINPERSID mean for the whitelisted globals. Each case
/// validates its arguments and returns plain data; there is no general call mechanism.
enum TorchCalls {
    static func call(_ callable: PickleValue, _ args: [PickleValue]) throws -> PickleValue {
        guard case .global(let global) = callable else {
            throw ImportFailure("REDUCE on a \(callable.kind), which is not callable")
        }
        switch global {
        case .orderedDict:
            return try orderedDict(args)
        case .rebuildTensorV2:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard args.count >= 4, case .storage(let storage) = args[0] else {
                throw ImportFailure(
                    "_rebuild_tensor_v2 expects (storage, offset, size, stride, ...), got "
                        + args.map(\.kind).joined(separator: ", "))
            }
            return .tensor(
                TensorRef(
                    storage: storage,
                    offset: try int(args[1], "storage_offset"),
                    shape: try ints(args[2], "size"),
                    stride: try ints(args[3], "stride")))
        case .rebuildParameter:
            // (data, requires_grad, backward_hooks): a Parameter is its data for us.
            guard let data = args.first, case .tensor = data else {
                throw ImportFailure(
                    "_rebuild_parameter expects a tensor first, got "
                        + (args.first?.kind ?? "nothing"))
            }
            return data
        case .storageType:
            throw ImportFailure("refusing to call \(global.name): storages must come from persistent ids")
        }
    }

    static func new(_ cls: PickleValue, _ args: [PickleValue]) throws -> PickleValue {
        guard case .global(.orderedDict) = cls else {
            throw ImportFailure("NEWOBJ of \(cls.kind) is not supported")
        }
        return try orderedDict(args)
    }

    /// BUILD on an OrderedDict sets instance attributes (torch stores `_metadata` there).
    static func build(_ object: PickleValue, state: PickleValue) throws {
        switch (object, state) {
        case (.dict(let dict), .dict(let attributes)):
            dict.attributes.append(contentsOf: attributes.entries)
        case (.dict, .none), (.tensor, .none):
            break
        case (.tensor, .dict(let attributes)) where attributes.entries.isEmpty:
            break
        default:
            throw ImportFailure("BUILD of a \(object.kind) with a \(state.kind) state is not supported")
        }
    }

    /// `('storage', torch.XStorage, key, location, numel)`: a reference to a zip entry.
    static func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let box) = pid, case let t = box.items, t.count == 5, case .string("storage") = t[0],
            case .global(.storageType(let dtype)) = t[1],
            case .string(let key) = t[2], case .string(let location) = t[3],
            case .int(let numel) = t[4], numel >= 0
        else {
            throw ImportFailure(
                "unsupported persistent id \(describe(pid)); expected "
                    + "('storage', torch.<Type>Storage, key, location, numel)")
        }
        return .storage(StorageRef(dtype: dtype, key: key, location: location, numel: numel))
    }

    // MARK: - Argument helpers

    private static func orderedDict(_ args: [PickleValue]) throws -> PickleValue {
        let dict = PickleDict()
        if args.isEmpty { return .dict(dict) }
        // OrderedDict(iterable_of_pairs): rare, but cheap to accept.
        guard args.count == 1, case .list(let pairs) = args[0] else {
            throw ImportFailure("OrderedDict called with unsupported arguments")
        }
        for pair in pairs.items {
            guard case .tuple(let box) = pair, case let kv = box.items, kv.count == 2 else {
                throw ImportFailure("OrderedDict item is a \(pair.kind), not a pair")
            }
            dict.set(kv[0], kv[1])
        }
        return .dict(dict)
    }

    private static func int(_ value: PickleValue, _ what: String) throws -> Int {
        guard case .int(let i) = value else { throw ImportFailure("tensor \(what) is a \(value.kind), not an int") }
        return i
    }

    private static func ints(_ value: PickleValue, _ what: String) throws -> [Int] {
        guard case .tuple(let tuple) = value else {
            throw ImportFailure("tensor \(what) is a \(value.kind), not a tuple")
        }
        return try tuple.items.map { try int($0, what) }
    }

    private static func describe(_ value: PickleValue) -> String {
        switch value {
        case .tuple(let tuple): return "(" + tuple.items.map(\.kind).joined(separator: ", ") + ")"
        default: return value.kind
        }
    }
}
