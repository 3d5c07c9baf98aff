import TorchImport

/// A checkpoint file as `TorchCheckpoint.load` reads it. The first byte picks the layout:
/// 0 the rest is the file itself (the zip container is fuzzed); 1 the rest is `data.pkl`, put
/// into a valid zip beside two storages (so the pickle machine is fuzzed, not the CRC check);
/// 2 `[pickle length, 2 bytes LE][data.pkl][storage 0]` in a valid zip. Every input either
/// loads (each tensor holding exactly its shape's values) or throws `TorchImportError`.
enum TorchFuzz {
    /// Storage `0`: 16 float32 values; storage `1`: 4 float64 values.
    static let storages: [(key: String, bytes: [UInt8])] = [
        ("0", (0..<16).flatMap { withUnsafeBytes(of: Float($0).bitPattern.littleEndian, Array.init) }),
        ("1", (0..<4).flatMap { withUnsafeBytes(of: Double($0).bitPattern.littleEndian, Array.init) }),
    ]

    static func run(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let file: [UInt8]
        switch mode % 3 {
        case 0: file = rest
        case 1: file = checkpoint(pickle: rest, storages: storages)
        default:
            let (pickle, storage) = ModelSetFuzz.split(rest)
            file = checkpoint(pickle: pickle, storages: [("0", storage)])
        }
        let path = FuzzScratch.write(file, to: "checkpoint.pt")
        do {
            // A lower limit on values than the real 2^28 keeps each input fast; the checks are the same.
            let checkpoint = try TorchCheckpoint.load(path: path, maximumElements: 1 << 20)
            for t in checkpoint.tensors {
                var count = 1
                for d in t.shape {
                    let (c, overflow) = count.multipliedReportingOverflow(by: d)
                    guard d >= 0, !overflow else { violated("tensor \(t.name) has shape \(t.shape)") }
                    count = c
                }
                guard t.values.count == count else { violated("tensor \(t.name) \(t.shape) holds \(t.values.count) values") }
            }
        } catch is TorchImportError {
        } catch {
            violated("unexpected error type: \(error)")
        }
    }

    /// A torch zip checkpoint: `archive/data.pkl`, `archive/byteorder`, `archive/data/<key>`.
    static func checkpoint(pickle: [UInt8], storages: [(key: String, bytes: [UInt8])]) -> [UInt8] {
        StoredZip.archive(
            [("archive/data.pkl", pickle), ("archive/byteorder", Array("little".utf8))]
                + storages.map { ("archive/data/\($0.key)", $0.bytes) })
    }
}
