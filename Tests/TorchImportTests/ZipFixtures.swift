import CertTestSupport
import Foundation
import ZIPFoundation

/// Fixture files of one test, in its temporary directory.
extension TemporaryDirectory {
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// A zip of `entries` in the given order, written with ZIPFoundation.
    func zip(
        _ name: String, _ entries: [(String, [UInt8])],
        compression: CompressionMethod = .none
    ) throws -> String {
        let p = file(name)
        let archive = try Archive(url: URL(fileURLWithPath: p), accessMode: .create)
        for (entryPath, bytes) in entries {
            let data = Data(bytes)
            try archive.addEntry(
                with: entryPath, type: .file, uncompressedSize: Int64(data.count),
                compressionMethod: compression
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return p
    }

    /// A torch-style checkpoint: `<prefix>/data.pkl`, `<prefix>/data/<key>`, `<prefix>/version`.
    func checkpoint(
        _ name: String, pickle: [UInt8], storages: [String: [UInt8]], prefix: String = "archive",
        extra: [(String, [UInt8])] = [], compression: CompressionMethod = .none
    ) throws -> String {
        var entries: [(String, [UInt8])] = [("\(prefix)/data.pkl", pickle)]
        for key in storages.keys.sorted() { entries.append(("\(prefix)/data/\(key)", storages[key]!)) }
        entries.append(("\(prefix)/version", Array("3\n".utf8)))
        return try zip(name, entries + extra, compression: compression)
    }
}

/// Little-endian storage bytes.
func float32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { le($0.bitPattern) } }
func float64Bytes(_ values: [Double]) -> [UInt8] { values.flatMap { le($0.bitPattern) } }
func int64Bytes(_ values: [Int64]) -> [UInt8] { values.flatMap { le(UInt64(bitPattern: $0)) } }
func uint16Bytes(_ values: [UInt16]) -> [UInt8] { values.flatMap { le($0) } }

func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}
