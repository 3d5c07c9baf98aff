/// The values our restricted unpickler can produce. Containers are reference types:
/// pickle's memo shares lists and dicts (APPEND/SETITEM on a memoized object must be seen
/// through every reference), and boxing tuples too lets `PickleTeardown` free any graph
/// in place, without recursion.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    /// A whitelisted global; only these can ever be called.
    case global(TorchGlobal)
    /// A BINPERSID reference to a storage in `<prefix>/data/<key>`.
    case storage(StorageRef)
    case tensor(TensorRef)

    /// Short name for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let g): return "global \(g.name)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

final class PickleTuple {
    /// `var` only so teardown can empty it; pickle never mutates a tuple.
    var items: [PickleValue]
    init(_ items: [PickleValue]) { self.items = items }
}

final class PickleList {
    var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// Insertion-ordered, like OrderedDict (and dict since Python 3.7). Keys are compared by
/// value for the scalar kinds a state dict uses; the entries stay few, so a linear scan is fine.
final class PickleDict {
    var entries: [(key: PickleValue, value: PickleValue)] = []
    /// Where each string key is in `entries`: a pickle of a million keys must not scan them all
    /// a million times.
    private var stringKeys: [String: Int] = [:]
    /// Set by BUILD (e.g. OrderedDict's `_metadata`); kept only so BUILD is not lossy.
    var attributes: [(key: PickleValue, value: PickleValue)] = []

    /// Empties the dict (teardown).
    func removeAll() {
        entries = []
        attributes = []
        stringKeys = [:]
    }

    func set(_ key: PickleValue, _ value: PickleValue) {
        if case .string(let name) = key {
            if let i = stringKeys[name] {
                entries[i].value = value
            } else {
                stringKeys[name] = entries.count
                entries.append((key, value))
            }
            return
        }
        if let i = entries.firstIndex(where: { PickleValue.sameKey($0.key, key) }) {
            entries[i].value = value
        } else {
            entries.append((key, value))
        }
    }
}

extension PickleValue {
    /// Key equality. `depth` bounds the recursion into tuple keys a crafted pickle could nest, and
    /// `budget` the work: through the memo, a kilobyte of pickle can build two distinct tuple
    /// DAGs of width 10 and depth 16 whose comparison visits 10^16 nodes. Past the budget the
    /// keys count as different (state-dict keys are strings; this only keeps a bad file fast).
    static func sameKey(_ a: PickleValue, _ b: PickleValue) -> Bool {
        var budget = 10_000
        return sameKey(a, b, depth: 0, budget: &budget)
    }

    private static func sameKey(_ a: PickleValue, _ b: PickleValue, depth: Int, budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.none, .none): return true
        case (.tuple(let x), .tuple(let y)):
            if x === y { return true }
            guard depth < 16, x.items.count == y.items.count else { return false }
            for (p, q) in zip(x.items, y.items) where !sameKey(p, q, depth: depth + 1, budget: &budget) { return false }
            return true
        default: return false
        }
    }
}

/// `('storage', torch.XStorage, key, location, numel)` from a persistent id.
struct StorageRef {
    let dtype: StorageDType
    let key: String
    let location: String
    let numel: Int
}

/// The arguments of `torch._utils._rebuild_tensor_v2`, kept as data; nothing is executed.
struct TensorRef {
    let storage: StorageRef
    let offset: Int
    let shape: [Int]
    let stride: [Int]
}
