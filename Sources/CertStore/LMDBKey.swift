/// A value usable as an LMDB key: LMDB compares keys as raw bytes (memcmp order).
public protocol LMDBKey {
    /// The key's bytes, as LMDB compares them.
    var lmdbBytes: [UInt8] { get }
}

extension String: LMDBKey {
    /// UTF-8, no terminator.
    public var lmdbBytes: [UInt8] { Array(utf8) }
}

extension Array: LMDBKey where Element == UInt8 {
    /// The bytes themselves.
    public var lmdbBytes: [UInt8] { self }
}

/// A `UInt64` stored big-endian, so that LMDB's byte order is numeric order.
///
/// Native (little-endian) integers would sort 256 before 1; the arrival and region
/// sequences depend on iterating in numeric order.
public struct BigEndianUInt64: LMDBKey, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number.
    public var value: UInt64

    /// A key for `value`.
    public init(_ value: UInt64) { self.value = value }

    /// Decodes exactly eight big-endian bytes; nil for any other length.
    public init?(lmdbBytes bytes: [UInt8]) {
        guard bytes.count == 8 else { return nil }
        value = bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Eight bytes, most significant first.
    public var lmdbBytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    /// Numeric order, the same as the byte order of `lmdbBytes`.
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    /// The decimal number.
    public var description: String { String(value) }
}
