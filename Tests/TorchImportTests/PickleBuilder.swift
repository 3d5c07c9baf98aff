/// Writes pickle opcodes by hand, so tests control exactly which opcodes appear.
struct PickleBuilder {
    var bytes: [UInt8] = []

    init(protocol version: UInt8 = 2) { bytes = [0x80, version] }

    mutating func raw(_ b: UInt8...) { bytes += b }
    mutating func op(_ c: Character) { bytes.append(c.asciiValue!) }

    mutating func global(_ module: String, _ name: String) {
        op("c")
        bytes += Array("\(module)\n\(name)\n".utf8)
    }

    mutating func unicode(_ s: String) {
        let utf8 = Array(s.utf8)
        op("X")
        bytes += le(UInt32(utf8.count), 4) + utf8
    }

    mutating func shortUnicode(_ s: String) {
        let utf8 = Array(s.utf8)
        raw(0x8C, UInt8(utf8.count))
        bytes += utf8
    }

    /// The shortest int opcode, as CPython picks it.
    mutating func int(_ i: Int) {
        switch i {
        case 0..<256: raw(UInt8(ascii: "K"), UInt8(i))
        case 256..<65536: op("M"); bytes += le(UInt64(i), 2)
        default: op("J"); bytes += le(UInt64(UInt32(truncatingIfNeeded: i)), 4)
        }
    }

    mutating func intTuple(_ values: [Int]) {
        op("(")
        for v in values { int(v) }
        op("t")
    }

    mutating func put(_ i: UInt8) { raw(UInt8(ascii: "q"), i) }
    mutating func get(_ i: UInt8) { raw(UInt8(ascii: "h"), i) }

    func le(_ value: some FixedWidthInteger, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: UInt64(value) >> (8 * UInt64($0))) }
    }
}

/// One tensor of a hand-built state dict.
struct TensorSpec {
    var name: String
    var storageType = "FloatStorage"
    var key: String
    var numel: Int
    var offset = 0
    var shape: [Int]
    var stride: [Int]
}

/// A state-dict pickle laid out as torch.save writes it (protocol 2, GLOBAL, BINPUT/BINGET
/// for the repeated globals, BINPERSID storages, SETITEMS, then BUILD with `_metadata`).
func stateDictPickle(_ tensors: [TensorSpec], asParameters: Bool = false) -> [UInt8] {
    var p = PickleBuilder()
    p.global("collections", "OrderedDict"); p.put(0)
    p.op(")"); p.op("R"); p.put(1)
    p.op("(")
    var memoOfStorageType: [String: UInt8] = [:]
    var next: UInt8 = 10
    for (i, t) in tensors.enumerated() {
        p.unicode(t.name)
        if asParameters { p.global("torch._utils", "_rebuild_parameter") }
        // The rebuild function is memoized once and fetched with BINGET afterwards.
        if i == 0 { p.global("torch._utils", "_rebuild_tensor_v2"); p.put(2) } else { p.get(2) }
        p.op("(")
        p.op("(")
        p.unicode("storage")
        if let memo = memoOfStorageType[t.storageType] {
            p.get(memo)
        } else {
            p.global("torch", t.storageType); p.put(next)
            memoOfStorageType[t.storageType] = next
            next += 1
        }
        p.unicode(t.key)
        p.unicode("cuda:0")
        p.int(t.numel)
        p.op("t")
        p.op("Q")
        p.int(t.offset)
        p.intTuple(t.shape)
        p.intTuple(t.stride)
        p.raw(0x89)  // requires_grad = False
        p.get(0); p.op(")"); p.op("R")  // backward_hooks = OrderedDict()
        p.op("t")
        p.op("R")
        if asParameters {
            p.raw(0x88); p.get(0); p.op(")"); p.op("R"); p.raw(0x87)  // TUPLE3 (tensor, True, hooks)
            p.op("R")
        }
    }
    p.op("u")
    // state = {'_metadata': OrderedDict({'': {'version': 1}})}, applied with BUILD
    p.op("}")
    p.unicode("_metadata")
    p.get(0); p.op(")"); p.op("R")
    p.unicode(""); p.op("}"); p.unicode("version"); p.int(1); p.op("s"); p.op("s")
    p.op("s")
    p.op("b")
    p.op(".")
    return p.bytes
}
