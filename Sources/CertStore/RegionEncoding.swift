/// The binary value of a `regions` entry (key: the sequence as `BigEndianUInt64`).
///
/// Layout, all little-endian, no padding, 52 + 4·n bytes:
///
///     offset  size  field
///          0    32  sha256 of the input file, raw bytes
///         32     4  label, Int32
///         36     8  radius, Float64 (IEEE 754 bits)
///         44     8  squared L2 norm of the input, Float64
///         52   4·n  the flattened input, n Float32 values
///
/// Binary rather than JSON: inputs are thousands of floats and the whole store is read at
/// start. Little-endian is fixed (not "native") so the file means the same on any host.
enum RegionEncoding {
    static let headerSize = 52

    static func encode(sha256: [UInt8], label: Int32, radius: Double, squaredNorm: Double, input: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + 4 * input.count)
        out += sha256
        append(UInt32(bitPattern: label), to: &out)
        append(radius.bitPattern, to: &out)
        append(squaredNorm.bitPattern, to: &out)
        // The input is most of the record: copy it whole where the host is little-endian.
        #if _endian(little)
            input.withUnsafeBytes { out += $0 }
        #else
            for x in input { append(x.bitPattern, to: &out) }
        #endif
        return out
    }

    /// Decodes the record stored under `sequence`; a torn or foreign value is `corruptRecord`.
    static func decode(_ bytes: [UInt8], sequence: UInt64) throws -> StoredRegion {
        try bytes.withUnsafeBytes { try view($0, sequence: sequence).stored }
    }

    /// ||x||² accumulated in Double, so stored norms do not depend on summation order in Float.
    static func squaredNorm(_ input: [Float]) -> Double {
        input.reduce(0) { $0 + Double($1) * Double($1) }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }
}
