import Foundation
import ZIPFoundation

/// Thin read-only wrapper over ZIPFoundation: classifies non-zip inputs up front (so errors
/// say "empty" or "legacy torch file" rather than a generic ZIP failure) and reads whole
/// entries in one call.
struct ZipArchiveReader {
    let path: String
    private let archive: Archive
    private let entriesByPath: [String: Entry]

    /// Entry paths in archive order.
    let paths: [String]

    init(path: String) throws {
        self.path = path
        try Self.checkSignature(path: path)
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ImportFailure("truncated or corrupt zip archive (\(error))")
        }
        var byPath: [String: Entry] = [:]
        var paths: [String] = []
        for entry in archive {
            paths.append(entry.path)
            byPath[entry.path] = entry
        }
        self.archive = archive
        self.entriesByPath = byPath
        self.paths = paths
    }

    func contains(_ entryPath: String) -> Bool { entriesByPath[entryPath] != nil }

    /// Size the central directory declares, known before reading anything.
    func declaredSize(_ entryPath: String) -> Int? {
        entriesByPath[entryPath].map { Int(clamping: $0.uncompressedSize) }
    }

    /// The whole (uncompressed) contents of `entryPath`, CRC-checked.
    func read(_ entryPath: String) throws -> [UInt8] {
        guard let entry = entriesByPath[entryPath] else {
            throw ImportFailure("missing zip entry \(entryPath)")
        }
        guard entry.type == .file else { throw ImportFailure("zip entry \(entryPath) is not a file") }
        let size = Int(clamping: entry.uncompressedSize)
        var bytes: [UInt8] = []
        // Cap the reservation: a forged header must not make us allocate gigabytes up front.
        bytes.reserveCapacity(min(size, 1 << 28))
        do {
            // One chunk for the whole entry: torch stores entries uncompressed, so this is a
            // single seek + read instead of ZIPFoundation's default 16 KiB loop.
            let crc = try archive.extract(entry, bufferSize: max(size, 1), skipCRC32: false) { chunk in
                // A deflated entry that inflates past its declared size is corrupt (or a bomb).
                guard chunk.count <= size - bytes.count else {
                    throw ImportFailure("zip entry \(entryPath) inflates past its declared \(size) bytes")
                }
                bytes.append(contentsOf: chunk)
            }
            guard crc == entry.checksum else {
                throw ImportFailure("zip entry \(entryPath) fails its CRC-32 check (corrupt file)")
            }
        } catch let failure as ImportFailure {
            throw failure
        } catch {
            throw ImportFailure("cannot read zip entry \(entryPath): truncated or corrupt archive (\(error))")
        }
        guard bytes.count == size else {
            throw ImportFailure("zip entry \(entryPath) is truncated (\(bytes.count) of \(size) bytes)")
        }
        return bytes
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
