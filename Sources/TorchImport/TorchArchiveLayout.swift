import Foundation

/// Where a torch zip checkpoint keeps things: `<prefix>/data.pkl`, `<prefix>/data/<key>`,
/// optional `<prefix>/byteorder`. The prefix is `archive` or the saved file's stem, so we
/// find it from the pickle's path instead of assuming it.
struct TorchArchiveLayout {
    let zip: ZipArchiveReader
    let prefix: String

    init(zip: ZipArchiveReader) throws {
        self.zip = zip
        let pickles = zip.paths.filter { path in
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1] == "data.pkl"
        }
        guard let pickle = pickles.first else {
            throw ImportFailure("zip archive has no <dir>/data.pkl entry; not a PyTorch checkpoint")
        }
        guard pickles.count == 1 else {
            throw ImportFailure("zip archive has several data.pkl entries (\(pickles.joined(separator: ", ")))")
        }
        prefix = String(pickle.dropLast("/data.pkl".count))
        try checkByteOrder()
    }

    func pickleBytes() throws -> [UInt8] { try zip.read("\(prefix)/data.pkl") }

    /// Raw bytes of storage `key`; absent or short entries are clear errors, found before
    /// reading the data.
    func storageBytes(key: String, minimumBytes: Int) throws -> [UInt8] {
        // Keys come from the pickle: refuse anything that could name another entry.
        guard !key.isEmpty, !key.contains("/"), key != "..", key != "." else {
            throw ImportFailure("invalid storage key '\(key)'")
        }
        let entry = "\(prefix)/data/\(key)"
        guard let size = zip.declaredSize(entry) else { throw ImportFailure("missing storage entry \(entry)") }
        guard size >= minimumBytes else {
            throw ImportFailure("storage entry \(entry) holds \(size) bytes, fewer than the \(minimumBytes) its tensor needs")
        }
        return try zip.read(entry)
    }

    // Files written on big-endian hosts say so; we only convert little-endian storages.
    private func checkByteOrder() throws {
        let entry = "\(prefix)/byteorder"
        guard zip.contains(entry) else { return }  // older writers omit it: little-endian
        let text = String(decoding: try zip.read(entry), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        switch text {
        case "little": return
        case "big": throw ImportFailure("big-endian checkpoint (\(entry) says big) is not supported")
        default: throw ImportFailure("unknown byte order '\(text)' in \(entry)")
        }
    }
}
