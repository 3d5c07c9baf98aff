import CLibz
import CertTestSupport
import Foundation
import Testing
import TorchImport

/// The zip reader's limits (docs/FUZZING.md, "Limits"): sizes and offsets come from the file,
/// so each is checked against it before anything is allocated or inflated. Archives are built
/// byte by byte here, to say what a real writer never would.
@Suite struct ZipReaderLimitTests {
    /// One entry: `data` as stored in the file, with the sizes, method and CRC the headers claim.
    static func archive(
        name: String = "archive/data.pkl", data: [UInt8], method: UInt16 = 0, compressedSize: UInt32? = nil,
        uncompressedSize: UInt32? = nil, crc: UInt32? = nil, entries: UInt16 = 1
    ) -> [UInt8] {
        let crc = crc ?? UInt32(data.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) })
        let csize = compressedSize ?? UInt32(data.count), usize = uncompressedSize ?? UInt32(data.count)
        let path = Array(name.utf8)
        var out = le32(0x0403_4B50) + le16(20) + le16(0) + le16(method) + le32(0) + le32(crc) + le32(csize) + le32(usize)
        out += le16(UInt16(path.count)) + le16(0) + path + data
        let directory = out.count
        out += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(method) + le32(0) + le32(crc) + le32(csize) + le32(usize)
        out += le16(UInt16(path.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(0) + path
        let size = out.count - directory
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries) + le16(entries) + le32(UInt32(size)) + le32(UInt32(directory))
        return out + le16(0)
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    /// Raw deflate of `bytes` (zlib without its header, as zip stores it).
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        _ = deflateInit2_(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var input = bytes
        var out = [UInt8](repeating: 0, count: bytes.count + 1024)
        let produced = input.withUnsafeMutableBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = src.baseAddress
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = UInt32(dst.count)
                _ = CLibz.deflate(&stream, Z_FINISH)
                return dst.count - Int(stream.avail_out)
            }
        }
        return Array(out.prefix(produced))
    }

    func refusal(_ bytes: [UInt8]) throws -> String {
        let dir = try TemporaryDirectory("zip-limits")
        let path = dir.file("bad.pt")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try TorchCheckpoint.load(path: path)
            return "loaded"
        } catch let error as TorchImportError {
            return error.reason
        }
    }

    @Test func aStoredEntryClaimingFourGigabytesIsRefusedUnread() throws {
        // 12 bytes in the file, 4 GiB in the headers: ZIPFoundation allocated the claim first.
        let reason = try refusal(Self.archive(data: Array("not a pickle".utf8), compressedSize: .max, uncompressedSize: .max))
        #expect(reason.contains("past its end"), "\(reason)")
    }

    @Test func aStoredEntryWhoseSizesDisagreeIsRefused() throws {
        let reason = try refusal(Self.archive(data: [0x80, 0x02, 0x2E], uncompressedSize: 1 << 30))
        #expect(reason.contains("is stored with 3 bytes but declares 1073741824"), "\(reason)")
    }

    /// A deflate bomb: 1 MiB of zeros in about a kilobyte, declared as 100 bytes. Inflating
    /// stops at the declared size.
    @Test func aDeflatedEntryThatInflatesPastItsDeclaredSizeStopsThere() throws {
        let bomb = Self.deflate([UInt8](repeating: 0, count: 1 << 20))
        #expect(bomb.count < 2048)
        let reason = try refusal(Self.archive(data: bomb, method: 8, uncompressedSize: 100, crc: 0))
        #expect(reason.contains("inflates past its declared 100 bytes"), "\(reason)")
    }

    @Test func aDeflatedEntryThatEndsShortIsTruncated() throws {
        let data = Self.deflate(Array(repeating: 7, count: 300))
        let reason = try refusal(Self.archive(data: data, method: 8, uncompressedSize: 301, crc: 0))
        #expect(reason.contains("is truncated (300 of 301 bytes)"), "\(reason)")
    }

    @Test func anEntryCountTheDirectoryCannotHoldIsRefusedBeforeReserving() throws {
        let reason = try refusal(Self.archive(data: [0x2E], entries: 0xFFFE))
        #expect(reason.contains("65534 entries cannot fit"), "\(reason)")
    }

    @Test func aFileWithoutAnEndRecordIsRefused() throws {
        var bytes = Self.archive(data: [0x2E])
        bytes.removeLast(22)
        let reason = try refusal(bytes)
        #expect(reason.contains("no end of central directory record"), "\(reason)")
    }

    @Test func aBadCRCIsRefused() throws {
        let reason = try refusal(Self.archive(data: [0x80, 0x02, 0x7D, 0x2E], crc: 1))
        #expect(reason.contains("fails its CRC-32 check"), "\(reason)")
    }
}
