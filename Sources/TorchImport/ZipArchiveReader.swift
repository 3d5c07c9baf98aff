import CLibz
import CertSystem
import Foundation

/// Reads a torch zip checkpoint from a read-only map of the file: classifies non-zip inputs up
/// front (so errors say "empty" or "legacy torch file" rather than a generic zip failure), then
/// reads whole entries, each checked against the file and its CRC before it is returned.
///
/// Our own reader, not ZIPFoundation's: fuzzing found that one leaking the path on every open
/// (Linux), trapping on an offset past the end of an in-memory archive, and allocating an
/// entry's declared size (up to 4 GiB from a 100-byte file) before reading it. Here every size
/// is checked against the file before anything is allocated, and a deflated entry grows only as
/// its data inflates, never past its declared size (docs/FUZZING.md, "Limits").
struct ZipArchiveReader {
    let path: String
    private let map: MemoryMap
    private let entriesByPath: [String: ZipDirectory.Entry]

    /// Entry paths in archive order.
    let paths: [String]

    init(path: String) throws {
        self.path = path
        try Self.checkSignature(path: path)
        do { map = try MemoryMap(path: path) } catch let error as SystemError {
            throw ImportFailure("cannot read: \(error.note.isEmpty ? error.reason : error.note)")
        }
        let directory = try ZipDirectory(map.bytes)
        var byPath: [String: ZipDirectory.Entry] = [:]
        for entry in directory.entries where byPath[entry.path] == nil { byPath[entry.path] = entry }
        entriesByPath = byPath
        paths = directory.entries.map(\.path)
    }

    func contains(_ entryPath: String) -> Bool { entriesByPath[entryPath] != nil }

    /// Size the central directory declares, known before reading anything.
    func declaredSize(_ entryPath: String) -> Int? { entriesByPath[entryPath]?.uncompressedSize }

    /// The whole (uncompressed) contents of `entryPath`, CRC-checked.
    func read(_ entryPath: String) throws -> [UInt8] {
        guard let entry = entriesByPath[entryPath] else { throw ImportFailure("missing zip entry \(entryPath)") }
        guard !entry.isDirectory else { throw ImportFailure("zip entry \(entryPath) is not a file") }
        guard entry.flags & 1 == 0 else { throw ImportFailure("zip entry \(entryPath) is encrypted") }
        let file = ZipBytes(map.bytes)
        let at = entry.localHeaderOffset
        guard try file.u32(at: at) == 0x0403_4B50 else {
            throw ImportFailure("corrupt zip archive: no local header for \(entryPath) at offset \(at)")
        }
        let start = at + 30 + Int(try file.u16(at: at + 26)) + Int(try file.u16(at: at + 28))
        let data = try file.slice(start, entry.compressedSize)
        let bytes: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw ImportFailure(
                    "zip entry \(entryPath) is stored with \(entry.compressedSize) bytes but declares \(entry.uncompressedSize)")
            }
            bytes = Array(data)
        case 8:
            bytes = try Self.inflate(data, size: entry.uncompressedSize, entryPath)
        default:
            throw ImportFailure("zip entry \(entryPath) uses compression method \(entry.method) (only stored and deflated are read)")
        }
        let crc = bytes.withUnsafeBufferPointer { UInt32(crc32_z(0, $0.baseAddress, $0.count)) }
        guard crc == entry.crc32 else {
            throw ImportFailure("zip entry \(entryPath) fails its CRC-32 check (corrupt file)")
        }
        return bytes
    }

    /// Raw deflate into at most `size` bytes, in 64 KiB steps: a stream that inflates past its
    /// declared size (a bomb, or a lie) stops there, and one that ends early is truncated.
    private static func inflate(_ data: UnsafeRawBufferPointer, size: Int, _ entryPath: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ImportFailure("cannot start zlib for \(entryPath)")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(clamping: data.count)
        while true {
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                let status = CLibz.inflate(&stream, Z_NO_FLUSH)
                return (status, buffer.count - Int(stream.avail_out))
            }
            guard produced <= size - out.count else {
                throw ImportFailure("zip entry \(entryPath) inflates past its declared \(size) bytes")
            }
            out.append(contentsOf: chunk[0..<produced])
            if status == Z_STREAM_END { break }
            guard status == Z_OK, produced > 0 || stream.avail_in > 0 else {
                throw ImportFailure("zip entry \(entryPath) is truncated or corrupt (zlib status \(status))")
            }
        }
        guard out.count == size else {
            throw ImportFailure("zip entry \(entryPath) is truncated (\(out.count) of \(size) bytes)")
        }
        return out
    }

    // PyTorch < 1.6 wrote a bare pickle that starts with protocol 2 and this LONG1 magic number.
    private static let legacyMagic: [UInt8] = [
        0x80, 0x02, 0x8A, 0x0A,
        0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19,
    ]

    /// Rejects missing, empty, legacy and non-zip files with a reason a user can act on.
    private static func checkSignature(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw ImportFailure(
                    isDirectory.boolValue
                        ? "is a directory, not a checkpoint file"
                        : "cannot open file for reading")
            }
            throw ImportFailure("no such file")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
        if head.isEmpty { throw ImportFailure("empty file") }
        if head.starts(with: legacyMagic) || isTar(head) {
            throw ImportFailure("legacy torch serialization is not supported; re-save with torch>=1.6")
        }
        // Local file header, or the end record of an empty archive.
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return }
        if head.first == 0x80 {
            throw ImportFailure("not a zip archive (a bare pickle; PyTorch >= 1.6 checkpoints are zip files)")
        }
        throw ImportFailure("not a zip archive (PyTorch >= 1.6 checkpoints are zip files)")
    }

    // The oldest torch format was a tar archive ("ustar" at offset 257).
    private static func isTar(_ head: [UInt8]) -> Bool {
        head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }
}
