import Foundation

/// The safetensors container (8-byte little-endian header length, a JSON header, then the
/// packed tensor bytes), chosen so Python users can read and write model sets directly.
public enum Safetensors {
    /// The element types certssb reads and writes.
    public enum DType: String, Sendable, Codable {
        /// Little-endian float32 and float16 (IEEE binary16).
        case f32 = "F32", f16 = "F16"
        /// Bytes per element: 4 or 2.
        public var byteSize: Int { self == .f32 ? 4 : 2 }
    }

    /// One tensor of a parsed header.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name (`conv1.weight`).
        public var name: String
        /// Its element type.
        public var dtype: DType
        /// Its shape, as stored.
        public var shape: [Int]
        /// Byte range inside the data section.
        public var begin: Int
        /// End of the byte range (exclusive): `end − begin` = elements × `dtype.byteSize`.
        public var end: Int
    }

    /// Serialises tensors in the given order. F16 rounds to nearest even.
    public static func encode(
        _ tensors: [(name: String, shape: [Int], values: [Float])], dtype: DType = .f32,
        metadata: [String: String] = [:]
    ) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for t in tensors {
            precondition(t.shape.reduce(1, *) == t.values.count, "\(t.name): shape \(t.shape) vs \(t.values.count) values")
            let size = t.values.count * dtype.byteSize
            header[t.name] = ["dtype": dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + size]] as [String: Any]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data section starts 8-byte aligned (mmap'd floats).
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for t in tensors {
            switch dtype {
            case .f32: t.values.withUnsafeBytes { out.append(contentsOf: $0) }
            case .f16:
                let halves = t.values.map { Float16($0).bitPattern.littleEndian }
                halves.withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Parses and validates the header of a mapped file; returns the entries and the offset
    /// of the data section. Checks offsets, sizes, overlaps and holes.
    public static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws -> (entries: [Entry], dataStart: Int) {
        guard bytes.count >= 8 else {
            throw ModelSetError.corrupt("file is \(bytes.count) bytes, shorter than the 8-byte safetensors header length")
        }
        // Compared as read: a length of 2^63 or more does not fit an Int (found by fuzzing).
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared > 1, declared <= 100_000_000, 8 + Int(declared) <= bytes.count else {
            throw ModelSetError.corrupt("safetensors header length \(declared) does not fit the \(bytes.count)-byte file")
        }
        let headerLength = Int(declared)
        let json = Data(bytes[8..<(8 + headerLength)])
        guard let object = try? JSONSerialization.jsonObject(with: json), let header = object as? [String: Any] else {
            throw ModelSetError.corrupt("safetensors header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var entries: [Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw ModelSetError.corrupt("tensor '\(name)' has a malformed header entry")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw ModelSetError.corrupt("tensor '\(name)' has dtype \(dtypeName); only F32 and F16 are supported")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw ModelSetError.corrupt("tensor '\(name)' has a negative dimension") }
            // Overflow-checked: a header may claim any shape (found by fuzzing).
            let count = shape.reduce(Optional(1)) { product, d in product.flatMap { p in Self.times(p, d) } }
            let size = count.flatMap { Self.times($0, dtype.byteSize) }
            let (begin, end) = (offsets[0], offsets[1])
            guard let size, begin >= 0, end >= begin, end <= dataLength, end - begin == size else {
                throw ModelSetError.corrupt(
                    "tensor '\(name)' data_offsets [\(begin), \(end)] do not hold \(shape) \(dtypeName) inside \(dataLength) data bytes")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        entries.sort { $0.begin < $1.begin }
        var cursor = 0
        for e in entries {
            guard e.begin == cursor else { throw ModelSetError.corrupt("tensor '\(e.name)' leaves a hole or overlaps at byte \(cursor)") }
            cursor = e.end
        }
        guard cursor == dataLength else { throw ModelSetError.corrupt("\(dataLength - cursor) trailing bytes after the last tensor") }
        return (entries, dataStart)
    }

    /// a × b, or nil when it overflows.
    private static func times(_ a: Int, _ b: Int) -> Int? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }
}
