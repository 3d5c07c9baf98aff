/// A small pickle virtual machine for torch state dicts (protocols 2–5). It implements
/// the opcodes torch.save emits, and calls nothing: globals are whitelisted tokens
/// (`TorchGlobal`) and REDUCE/NEWOBJ/BUILD/BINPERSID only build plain data.
struct Unpickler {
    private var reader: PickleReader
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Offset of the opcode being executed, for error messages.
    private var opOffset = 0
    /// The value STOP returned, kept so `dismantle` can reach it.
    private var produced: PickleValue?

    init(bytes: [UInt8]) { reader = PickleReader(bytes) }

    mutating func load() throws -> PickleValue {
        while true {
            opOffset = reader.offset
            if reader.atEnd { throw ImportFailure("truncated pickle: no STOP opcode before end at offset \(opOffset)") }
            let op = try reader.byte(for: "opcode")
            if op == Op.stop {
                guard let result = stack.popLast() else { throw fail("STOP with an empty stack") }
                produced = result
                return result
            }
            try execute(op)
        }
    }

    // MARK: - Dispatch

    private mutating func execute(_ op: UInt8) throws {
        switch op {
        case Op.proto:
            let version = try reader.byte(for: "PROTO")
            guard version <= 5 else { throw fail("unsupported pickle protocol \(version)") }
        case Op.frame: _ = try reader.uint(8, for: "FRAME")  // framing is only a read-ahead hint
        case Op.mark: marks.append(stack.count)
        case Op.pop: _ = try pop()
        case Op.popMark: _ = try popMark()
        case Op.dup: stack.append(try top())

        case Op.none: stack.append(.none)
        case Op.newTrue: stack.append(.bool(true))
        case Op.newFalse: stack.append(.bool(false))
        case Op.binInt: stack.append(.int(Int(Int32(truncatingIfNeeded: try reader.uint(4, for: "BININT")))))
        case Op.binInt1: stack.append(.int(Int(try reader.uint(1, for: "BININT1"))))
        case Op.binInt2: stack.append(.int(Int(try reader.uint(2, for: "BININT2"))))
        case Op.long1: stack.append(.int(try long(byteCount: try reader.length(1, for: "LONG1"))))
        case Op.binFloat:
            // The only big-endian field in pickle.
            let raw = try reader.take(8, for: "BINFLOAT").reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            stack.append(.float(Double(bitPattern: raw)))

        case Op.binUnicode: try pushString(lengthBytes: 4, "BINUNICODE")
        case Op.shortBinUnicode: try pushString(lengthBytes: 1, "SHORT_BINUNICODE")
        case Op.binUnicode8: try pushString(lengthBytes: 8, "BINUNICODE8")
        case Op.binString, Op.shortBinString:
            // Python 2 str: read as text (torch only writes ASCII keys); latin-1 keeps every byte.
            let n = try reader.length(op == Op.binString ? 4 : 1, for: "BINSTRING")
            stack.append(.string(String(try reader.take(n, for: "BINSTRING").map { Character(Unicode.Scalar($0)) })))
        case Op.binBytes, Op.shortBinBytes, Op.binBytes8:
            let width = op == Op.binBytes ? 4 : (op == Op.shortBinBytes ? 1 : 8)
            let n = try reader.length(width, for: "BINBYTES")
            stack.append(.bytes(Array(try reader.take(n, for: "BINBYTES"))))

        case Op.emptyTuple: stack.append(.tuple(PickleTuple([])))
        case Op.tuple: stack.append(.tuple(PickleTuple(try popMark())))
        case Op.tuple1, Op.tuple2, Op.tuple3:
            let n = Int(op - Op.tuple1) + 1
            guard stack.count - (marks.last ?? 0) >= n else { throw fail("TUPLE\(n) needs \(n) items on the stack") }
            let items = Array(stack.suffix(n))
            stack.removeLast(n)
            stack.append(.tuple(PickleTuple(items)))
        case Op.emptyList: stack.append(.list(PickleList()))
        case Op.list: stack.append(.list(PickleList(try popMark())))
        case Op.append:
            let item = try pop()
            try asList(try top(), "APPEND").items.append(item)
        case Op.appends:
            let items = try popMark()
            try asList(try top(), "APPENDS").items.append(contentsOf: items)
        case Op.emptyDict: stack.append(.dict(PickleDict()))
        case Op.dict:
            let dict = PickleDict()
            try setItems(dict, try popMark())
            stack.append(.dict(dict))
        case Op.setItem:
            let value = try pop(), key = try pop()
            try asDict(try top(), "SETITEM").set(key, value)
        case Op.setItems:
            let items = try popMark()
            try setItems(try asDict(try top(), "SETITEMS"), items)

        case Op.binPut: memo[Int(try reader.uint(1, for: "BINPUT"))] = try top()
        case Op.longBinPut: memo[Int(try reader.uint(4, for: "LONG_BINPUT"))] = try top()
        case Op.memoize: memo[memo.count] = try top()
        case Op.binGet: try pushMemo(Int(try reader.uint(1, for: "BINGET")))
        case Op.longBinGet: try pushMemo(Int(try reader.uint(4, for: "LONG_BINGET")))

        case Op.global:
            let module = try reader.line(for: "GLOBAL module")
            let name = try reader.line(for: "GLOBAL name")
            stack.append(.global(try TorchGlobal.resolve(module: module, name: name)))
        case Op.stackGlobal:
            let name = try pop(), module = try pop()
            guard case .string(let m) = module, case .string(let n) = name else {
                throw fail("STACK_GLOBAL needs two strings, got \(module.kind) and \(name.kind)")
            }
            stack.append(.global(try TorchGlobal.resolve(module: m, name: n)))
        case Op.reduce:
            let args = try pop(), callable = try pop()
            guard case .tuple(let t) = args, case let a = t.items else { throw fail("REDUCE arguments are a \(args.kind), not a tuple") }
            stack.append(try TorchCalls.call(callable, a))
        case Op.newObj:
            let args = try pop(), cls = try pop()
            guard case .tuple(let t) = args, case let a = t.items else { throw fail("NEWOBJ arguments are a \(args.kind), not a tuple") }
            stack.append(try TorchCalls.new(cls, a))
        case Op.build:
            let state = try pop()
            try TorchCalls.build(try top(), state: state)
        case Op.binPersId:
            stack.append(try TorchCalls.persistentLoad(try pop()))

        default:
            throw ImportFailure("unknown pickle opcode 0x\(String(op, radix: 16, uppercase: true)) at offset \(opOffset)")
        }
    }

    /// Frees everything this run built (call when done with the result, success or not).
    mutating func dismantle() {
        var roots = stack + Array(memo.values)
        if let produced { roots.append(produced) }
        stack = []
        memo = [:]
        produced = nil
        PickleTeardown.dismantle(roots)
    }

    // MARK: - Helpers

    private func fail(_ message: String) -> ImportFailure {
        ImportFailure("malformed pickle at offset \(opOffset): \(message)")
    }

    private mutating func pop() throws -> PickleValue {
        // Items below the innermost MARK belong to an enclosing construct.
        guard stack.count > (marks.last ?? 0), let value = stack.popLast() else { throw fail("stack underflow") }
        return value
    }

    private func top() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw fail("stack underflow") }
        return value
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func pushMemo(_ index: Int) throws {
        guard let value = memo[index] else { throw fail("memo key \(index) is not set") }
        stack.append(value)
    }

    private mutating func pushString(lengthBytes: Int, _ what: String) throws {
        let n = try reader.length(lengthBytes, for: what)
        let raw = try reader.take(n, for: what)
        guard let text = String(validating: raw, as: UTF8.self) else { throw fail("\(what) is not valid UTF-8") }
        stack.append(.string(text))
    }

    /// LONG1: little-endian two's complement of any width; state dicts only need 64 bits.
    private mutating func long(byteCount n: Int) throws -> Int {
        let raw = Array(try reader.take(n, for: "LONG1"))
        guard n <= 8 else { throw fail("LONG1 of \(n) bytes does not fit 64 bits") }
        guard n > 0 else { return 0 }
        var value: UInt64 = 0
        for (i, b) in raw.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        if raw[n - 1] & 0x80 != 0, n < 8 { value |= ~UInt64(0) << (8 * UInt64(n)) }  // sign-extend
        return Int(Int64(bitPattern: value))
    }

    private func asList(_ value: PickleValue, _ op: String) throws -> PickleList {
        guard case .list(let list) = value else { throw fail("\(op) on a \(value.kind), not a list") }
        return list
    }

    private func asDict(_ value: PickleValue, _ op: String) throws -> PickleDict {
        guard case .dict(let dict) = value else { throw fail("\(op) on a \(value.kind), not a dict") }
        return dict
    }

    private func setItems(_ dict: PickleDict, _ items: [PickleValue]) throws {
        guard items.count % 2 == 0 else { throw fail("odd number of items for a dict") }
        for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }
    }
}
