/// Reads typed values off a fuzz input, zeros once it runs out (so every input means something).
struct FuzzBytes {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { max(0, bytes.count - offset) }

    mutating func byte() -> UInt8 {
        defer { offset += 1 }
        return offset < bytes.count ? bytes[offset] : 0
    }

    mutating func uint32() -> UInt32 { (0..<4).reduce(0) { v, k in v | UInt32(byte()) << (8 * UInt32(k)) } }

    mutating func uint64() -> UInt64 { UInt64(uint32()) | UInt64(uint32()) << 32 }

    /// Any float32 bit pattern: NaNs, infinities, subnormals included.
    mutating func float() -> Float { Float(bitPattern: uint32()) }

    /// Any float64 bit pattern.
    mutating func double() -> Double { Double(bitPattern: uint64()) }
}
