import CertCore
import CertTestSupport
import Foundation
import Testing

/// A safetensors header comes from the file: each number in it is checked before it is used
/// (docs/FUZZING.md, "Limits"). Found by the modelset fuzz target: a length of 2^63 or more
/// trapped converting to Int.
@Suite struct SafetensorsHeaderTests {
    static func file(headerLength: UInt64, json: String, data: Int = 0) -> [UInt8] {
        withUnsafeBytes(of: headerLength.littleEndian, Array.init) + Array(json.utf8) + [UInt8](repeating: 0, count: data)
    }

    func reason(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { raw in
            do {
                _ = try Safetensors.parseHeader(raw)
                return "parsed"
            } catch {
                return "\(error)"
            }
        }
    }

    @Test(arguments: [UInt64(1) << 63, .max, 100_000_001])
    func aHeaderLengthBeyondTheFileIsAnError(_ length: UInt64) {
        #expect(reason(Self.file(headerLength: length, json: "{}")).contains("does not fit"))
    }

    @Test func aShapeWhoseProductOverflowsIsAnError() {
        let json = #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#
        let bytes = Self.file(headerLength: UInt64(json.utf8.count), json: json)
        #expect(reason(bytes).contains("do not hold"), "\(reason(bytes))")
    }

    @Test func aSizeThatOverflowsInBytesIsAnError() {
        let json = #"{"w":{"dtype":"F32","shape":[2305843009213693952,2],"data_offsets":[0,0]}}"#
        let bytes = Self.file(headerLength: UInt64(json.utf8.count), json: json)
        #expect(reason(bytes).contains("do not hold"), "\(reason(bytes))")
    }

    /// Found by the modelset fuzz target: an empty manifest leaked FileManager's read buffer; it
    /// is an error like any invalid manifest, and one over the cap is refused as it is read.
    @Test func anEmptyOrOversizedManifestIsRefused() throws {
        let dir = try TemporaryDirectory("manifest-limits")
        FileManager.default.createFile(atPath: dir.file("manifest.json"), contents: Data())
        #expect { try ModelSet.load(directory: dir.path) } throws: { "\($0)".contains("manifest.json is not valid") }
        let big = Data(repeating: 0x20, count: ModelSet.maximumManifestBytes + 1)
        FileManager.default.createFile(atPath: dir.file("manifest.json"), contents: big)
        #expect { try ModelSet.load(directory: dir.path) } throws: { "\($0)".contains("more than 16777216 bytes") }
    }
}
