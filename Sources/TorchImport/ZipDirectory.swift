/// The central directory of a zip archive, read from the mapped bytes with every offset and
/// size checked against the file before it is used (APPNOTE.TXT §4.3). Only what a torch
/// checkpoint needs: stored and deflated entries, ZIP64 sizes and offsets, no encryption.
struct ZipDirectory {
    /// One central-directory record.
    struct Entry {
        let path: String
        /// 0 stored, 8 deflated.
        let method: UInt16
        let flags: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
        var isDirectory: Bool { path.hasSuffix("/") }
    }

    let entries: [Entry]

    init(_ bytes: UnsafeRawBufferPointer) throws {
        let file = ZipBytes(bytes)
        let end = try Self.endRecord(file)
        var count = Int(try file.u16(at: end + 10))
        var size = Int(try file.u32(at: end + 12))
        var offset = Int(try file.u32(at: end + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            (count, size, offset) = try Self.zip64Record(file, end: end)
        }
        guard offset <= end, size <= end - offset else {
            throw ImportFailure("corrupt zip archive: the central directory (\(size) bytes at \(offset)) is outside the file")
        }
        // A record is at least 46 bytes: a count beyond that is a lie, refused before reserving.
        guard count <= size / 46 else {
            throw ImportFailure("corrupt zip archive: \(count) entries cannot fit a \(size)-byte central directory")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var cursor = offset
        for _ in 0..<count {
            let (entry, next) = try Self.record(file, at: cursor, limit: offset + size)
            entries.append(entry)
            cursor = next
        }
        self.entries = entries
    }

    /// Where the end-of-central-directory record starts: its signature in the last 22 + 65 535
    /// bytes (the record and the longest comment), searched from the end.
    private static func endRecord(_ file: ZipBytes) throws -> Int {
        guard file.count >= 22 else { throw ImportFailure("truncated zip archive: \(file.count) bytes, no end record") }
        var at = file.count - 22
        let lowest = max(0, at - 65_535)
        while at >= lowest {
            if try file.u32(at: at) == 0x0605_4B50 { return at }
            at -= 1
        }
        throw ImportFailure("truncated or corrupt zip archive (no end of central directory record)")
    }

    /// Entry count, directory size and offset from the ZIP64 end record its locator points to.
    private static func zip64Record(_ file: ZipBytes, end: Int) throws -> (Int, Int, Int) {
        guard end >= 20, try file.u32(at: end - 20) == 0x0706_4B50 else {
            throw ImportFailure("corrupt zip archive: ZIP64 sizes without a ZIP64 locator")
        }
        let record = try file.int64(at: end - 20 + 8)
        guard record <= end - 20 - 56, try file.u32(at: record) == 0x0606_4B50 else {
            throw ImportFailure("corrupt zip archive: bad ZIP64 end record offset \(record)")
        }
        return (try file.int64(at: record + 32), try file.int64(at: record + 40), try file.int64(at: record + 48))
    }

    /// The record at `at` (inside the directory, which ends at `limit`) and where the next starts.
    private static func record(_ file: ZipBytes, at: Int, limit: Int) throws -> (Entry, Int) {
        guard limit - at >= 46, try file.u32(at: at) == 0x0201_4B50 else {
            throw ImportFailure("corrupt zip archive: no central directory record at offset \(at)")
        }
        let nameLength = Int(try file.u16(at: at + 28))
        let extraLength = Int(try file.u16(at: at + 30))
        let commentLength = Int(try file.u16(at: at + 32))
        let next = at + 46 + nameLength + extraLength + commentLength
        guard next <= limit else { throw ImportFailure("corrupt zip archive: the record at offset \(at) overruns the directory") }
        let name = String(decoding: try file.slice(at + 46, nameLength), as: UTF8.self)
        var compressed = Int(try file.u32(at: at + 20))
        var uncompressed = Int(try file.u32(at: at + 24))
        var local = Int(try file.u32(at: at + 42))
        // ZIP64 extra field: the 64-bit values of the saturated fields, in this order (§4.5.3).
        var extra = at + 46 + nameLength
        let extraEnd = extra + extraLength
        while extraEnd - extra >= 4 {
            let id = try file.u16(at: extra), length = Int(try file.u16(at: extra + 2))
            guard length <= extraEnd - extra - 4 else { break }
            if id == 0x0001 {
                var field = extra + 4
                let fieldEnd = field + length
                for value in [0, 1, 2] {
                    let current = value == 0 ? uncompressed : (value == 1 ? compressed : local)
                    guard current == 0xFFFF_FFFF, fieldEnd - field >= 8 else { continue }
                    let wide = try file.int64(at: field)
                    field += 8
                    if value == 0 { uncompressed = wide } else if value == 1 { compressed = wide } else { local = wide }
                }
            }
            extra += 4 + length
        }
        let entry = Entry(
            path: name, method: try file.u16(at: at + 10), flags: try file.u16(at: at + 8), crc32: try file.u32(at: at + 16),
            compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: local)
        return (entry, next)
    }
}

/// Little-endian reads inside the file; anything past its end is an error, never a trap.
struct ZipBytes {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var count: Int { bytes.count }

    func slice(_ at: Int, _ length: Int) throws -> UnsafeRawBufferPointer {
        guard at >= 0, length >= 0, at <= bytes.count, length <= bytes.count - at else {
            throw ImportFailure("truncated zip archive: \(length) bytes at offset \(at) are past its end (\(bytes.count) bytes)")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[at..<(at + length)])
    }

    func u16(at: Int) throws -> UInt16 { UInt16(littleEndian: try slice(at, 2).loadUnaligned(as: UInt16.self)) }
    func u32(at: Int) throws -> UInt32 { UInt32(littleEndian: try slice(at, 4).loadUnaligned(as: UInt32.self)) }

    /// A 64-bit size or offset; one that does not fit an Int is refused.
    func int64(at: Int) throws -> Int {
        let value = UInt64(littleEndian: try slice(at, 8).loadUnaligned(as: UInt64.self))
        guard value <= UInt64(Int.max) else { throw ImportFailure("corrupt zip archive: 64-bit value \(value) at offset \(at)") }
        return Int(value)
    }
}
