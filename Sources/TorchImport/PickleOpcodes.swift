/// Pickle opcode bytes (names as in CPython's pickletools).
enum Op {
    static let mark = UInt8(ascii: "(")
    static let stop = UInt8(ascii: ".")
    static let pop = UInt8(ascii: "0")
    static let popMark = UInt8(ascii: "1")
    static let dup = UInt8(ascii: "2")
    static let binFloat = UInt8(ascii: "G")
    static let binInt = UInt8(ascii: "J")
    static let binInt1 = UInt8(ascii: "K")
    static let binInt2 = UInt8(ascii: "M")
    static let none = UInt8(ascii: "N")
    static let binPersId = UInt8(ascii: "Q")
    static let reduce = UInt8(ascii: "R")
    static let binString = UInt8(ascii: "T")
    static let shortBinString = UInt8(ascii: "U")
    static let binUnicode = UInt8(ascii: "X")
    static let append = UInt8(ascii: "a")
    static let build = UInt8(ascii: "b")
    static let global = UInt8(ascii: "c")
    static let dict = UInt8(ascii: "d")
    static let emptyDict = UInt8(ascii: "}")
    static let appends = UInt8(ascii: "e")
    static let binGet = UInt8(ascii: "h")
    static let longBinGet = UInt8(ascii: "j")
    static let list = UInt8(ascii: "l")
    static let emptyList = UInt8(ascii: "]")
    static let binPut = UInt8(ascii: "q")
    static let longBinPut = UInt8(ascii: "r")
    static let setItem = UInt8(ascii: "s")
    static let tuple = UInt8(ascii: "t")
    static let emptyTuple = UInt8(ascii: ")")
    static let setItems = UInt8(ascii: "u")
    // Protocol 2
    static let proto: UInt8 = 0x80
    static let newObj: UInt8 = 0x81
    static let tuple1: UInt8 = 0x85
    static let tuple2: UInt8 = 0x86
    static let tuple3: UInt8 = 0x87
    static let newTrue: UInt8 = 0x88
    static let newFalse: UInt8 = 0x89
    static let long1: UInt8 = 0x8A
    // Protocol 3
    static let binBytes = UInt8(ascii: "B")
    static let shortBinBytes = UInt8(ascii: "C")
    // Protocol 4
    static let shortBinUnicode: UInt8 = 0x8C
    static let binUnicode8: UInt8 = 0x8D
    static let binBytes8: UInt8 = 0x8E
    static let stackGlobal: UInt8 = 0x93
    static let memoize: UInt8 = 0x94
    static let frame: UInt8 = 0x95
}
