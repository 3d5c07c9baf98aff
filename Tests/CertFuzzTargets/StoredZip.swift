import CLibz

/// A zip archive of stored (uncompressed) entries with correct CRCs, the way torch.save
/// writes them; enough for fuzz inputs and seeds.
enum StoredZip {
    static func archive(_ entries: [(path: String, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (path, bytes) in entries {
            let name = Array(path.utf8)
            let crc = UInt32(bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) })
            let offset = UInt32(out.count)
            // Local file header: version 2.0, no flags, stored, no time.
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le32(0)
            out += le32(crc) + le32(UInt32(bytes.count)) + le32(UInt32(bytes.count)) + le16(UInt16(name.count)) + le16(0)
            out += name + bytes
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le32(0)
            central += le32(crc) + le32(UInt32(bytes.count)) + le32(UInt32(bytes.count)) + le16(UInt16(name.count))
            central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let start = UInt32(out.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
        out += le32(UInt32(central.count)) + le32(start) + le16(0)
        return out
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
}
