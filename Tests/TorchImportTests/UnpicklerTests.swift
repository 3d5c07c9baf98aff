import Testing

@testable import TorchImport

/// The pickle machine on its own: opcodes torch.save does not use in our fixtures but may
/// use elsewhere (protocol 4 framing, STACK_GLOBAL, MEMOIZE, long memo indices).
struct UnpicklerTests {
    func run(_ bytes: [UInt8]) throws -> PickleValue {
        var unpickler = Unpickler(bytes: bytes)
        return try unpickler.load()
    }

    @Test func protocol4FramingStackGlobalAndMemoize() throws {
        var p = PickleBuilder(protocol: 4)
        p.raw(0x95); p.bytes += p.le(UInt64(0), 8)  // FRAME (length is only a hint)
        p.shortUnicode("collections"); p.raw(0x94); p.shortUnicode("OrderedDict"); p.raw(0x94)
        p.raw(0x93, 0x94)  // STACK_GLOBAL, MEMOIZE -> memo 2
        p.op(")"); p.op("R"); p.raw(0x94)  // OrderedDict() -> memo 3
        p.op("(")
        p.shortUnicode("a"); p.raw(0x8D); p.bytes += p.le(UInt64(3), 8) + Array("xyz".utf8)  // BINUNICODE8
        p.shortUnicode("b"); p.raw(0x8A, 2, 0x00, 0x80)  // LONG1 -32768
        p.shortUnicode("c"); p.op("G"); p.bytes += [0x3F, 0xF8, 0, 0, 0, 0, 0, 0]  // BINFLOAT 1.5
        p.shortUnicode("d"); p.op("N")
        p.shortUnicode("e"); p.raw(0x88)
        p.shortUnicode("f"); p.op("C"); p.raw(2, 0xAB, 0xCD)  // SHORT_BINBYTES
        p.shortUnicode("g"); p.op("B"); p.bytes += p.le(UInt32(1), 4) + [7]  // BINBYTES
        p.shortUnicode("h"); p.op("U"); p.raw(2); p.bytes += Array("hi".utf8)  // SHORT_BINSTRING
        p.shortUnicode("i"); p.op("T"); p.bytes += p.le(UInt32(2), 4) + Array("yo".utf8)  // BINSTRING
        p.shortUnicode("j"); p.op("J"); p.bytes += p.le(UInt32(bitPattern: -5), 4)  // BININT
        p.op("u")
        p.op("r"); p.bytes += p.le(UInt32(70_000), 4)  // LONG_BINPUT
        p.op("0")  // POP
        p.op("j"); p.bytes += p.le(UInt32(70_000), 4)  // LONG_BINGET
        p.op(".")
        guard case .dict(let dict) = try run(p.bytes) else { Issue.record("not a dict"); return }
        let values = Dictionary(
            uniqueKeysWithValues: dict.entries.map { entry -> (String, PickleValue) in
                guard case .string(let key) = entry.key else { return ("?", entry.value) }
                return (key, entry.value)
            })
        #expect(dict.entries.count == 10)
        if case .string(let s) = values["a"] { #expect(s == "xyz") } else { Issue.record("a") }
        if case .int(let i) = values["b"] { #expect(i == -32768) } else { Issue.record("b") }
        if case .float(let f) = values["c"] { #expect(f == 1.5) } else { Issue.record("c") }
        if case .some(PickleValue.none) = values["d"] {} else { Issue.record("d") }
        if case .bool(let b) = values["e"] { #expect(b) } else { Issue.record("e") }
        if case .bytes(let b) = values["f"] { #expect(b == [0xAB, 0xCD]) } else { Issue.record("f") }
        if case .bytes(let b) = values["g"] { #expect(b == [7]) } else { Issue.record("g") }
        if case .string(let s) = values["h"] { #expect(s == "hi") } else { Issue.record("h") }
        if case .string(let s) = values["i"] { #expect(s == "yo") } else { Issue.record("i") }
        if case .int(let i) = values["j"] { #expect(i == -5) } else { Issue.record("j") }
    }

    @Test func listsTuplesAndSharedMemoObjects() throws {
        var p = PickleBuilder()
        p.op("]"); p.put(0)  // list memoized before it is filled
        p.int(1); p.op("a")
        p.op("("); p.int(2); p.int(3); p.op("e")
        p.op("("); p.get(0); p.int(4); p.raw(0x86); p.op("l")  // LIST of one TUPLE2
        p.op("("); p.int(5); p.int(6); p.int(7); p.op("d")  // DICT of three items: not key/value pairs
        p.op(".")
        // DICT with an odd item count is malformed.
        #expect(throws: ImportFailure.self) { try run(p.bytes) }

        var q = PickleBuilder()
        q.op("]"); q.put(0)
        q.get(0); q.int(1); q.op("a"); q.op("0")  // APPEND through the memo reference, then POP it
        q.op("("); q.int(2); q.op("e")
        q.op(".")
        guard case .list(let list) = try run(q.bytes) else { Issue.record("not a list"); return }
        #expect(list.items.count == 2)  // the memoized object and the stack object are one list
    }

    @Test func malformedStacksAreErrorsNotCrashes() throws {
        for bytes: [UInt8] in [
            [0x80, 0x02, UInt8(ascii: ".")],  // STOP on an empty stack
            [0x80, 0x02, UInt8(ascii: "t")],  // TUPLE without MARK
            [0x80, 0x02, UInt8(ascii: "s")],  // SETITEM on nothing
            [0x80, 0x02, UInt8(ascii: "h"), 9],  // BINGET of an unset memo key
            [0x80, 0x02, UInt8(ascii: "("), 0x85],  // TUPLE1 across a MARK
            [0x80, 0x02, UInt8(ascii: "X"), 0xFF, 0xFF, 0xFF, 0x7F],  // length past the end
            [0x80, 0x02, UInt8(ascii: "c"), UInt8(ascii: "o")],  // GLOBAL without newline
            [0x80, 0x02, UInt8(ascii: "K")],  // BININT1 without its byte
            [0x80, 0x09],  // unknown protocol
            [0x80, 0x02, UInt8(ascii: "N")],  // no STOP
        ] {
            #expect(throws: ImportFailure.self, "\(bytes)") { try run(bytes) }
        }
    }
}

/// Work a pickle can demand for little bytes stays bounded (docs/FUZZING.md, "Limits").
struct UnpicklerWorkTests {
    /// Two distinct tuple DAGs, 16 levels of 10 references to the level below (through the memo):
    /// each has 10^16 paths, so a plain structural comparison of the two keys never ends.
    @Test(.timeLimit(.minutes(1))) func comparingTwoHugeTupleDAGsAsDictKeysIsBounded() throws {
        var p = PickleBuilder()
        p.raw(0x80, 2)
        for chain: UInt8 in [0, 100] {
            p.op(")")  // EMPTY_TUPLE, the bottom level
            p.put(chain)
            for level: UInt8 in 1...16 {
                p.op("(")  // MARK
                for _ in 0..<10 { p.get(chain + level - 1) }
                p.op("t")  // TUPLE
                p.put(chain + level)
                p.op("0")  // POP
            }
        }
        p.op("}")  // EMPTY_DICT
        p.get(16); p.op("N"); p.op("s")  // SETITEM top-of-chain-0 = None
        p.get(116); p.op("N"); p.op("s")  // SETITEM top-of-chain-1 = None: compares the two keys
        p.op(".")
        var unpickler = Unpickler(bytes: p.bytes)
        defer { unpickler.dismantle() }
        guard case .dict(let dict) = try unpickler.load() else { Issue.record("not a dict"); return }
        #expect(dict.entries.count == 2, "past the budget the keys count as different")
    }

    @Test func manyStringKeysAreSetInLinearTime() throws {
        var p = PickleBuilder()
        p.raw(0x80, 2)
        p.op("}")
        p.op("(")  // MARK
        for k in 0..<20_000 {
            p.unicode("key\(k % 10_000)")
            p.int(k)
        }
        p.op("u")  // SETITEMS: the second 10 000 replace the first
        p.op(".")
        var unpickler = Unpickler(bytes: p.bytes)
        defer { unpickler.dismantle() }
        guard case .dict(let dict) = try unpickler.load() else { Issue.record("not a dict"); return }
        #expect(dict.entries.count == 10_000)
        guard case .int(let last)? = dict.entries.last.map(\.value) else { Issue.record("no int"); return }
        #expect(last == 19_999)
    }
}
