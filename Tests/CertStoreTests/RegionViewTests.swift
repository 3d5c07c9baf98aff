import CertTestSupport
import Foundation
import Testing

@testable import CertStore

/// Regions read in place from the map: by sequence inside one snapshot, and streamed in chunks.
@Suite struct RegionViewTests {
    @Test func regionsAreLentInPlaceBySequenceAndInChunks() throws {
        let dir = try TemporaryDirectory("certstore")
        defer { dir.remove() }
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        defer { store.close() }
        func input(_ i: Int) -> [Float] { (0..<5).map { Float(i) + Float($0) * 0.25 } }
        try store.batch { b in
            for i in 1...7 { try b.appendRegion(sha256: fakeSHA(i), label: i % 3, radius: Double(i) / 8, input: input(i)) }
        }
        try store.readRegions { reader in
            let third = try reader.withRegion(sequence: 3) { $0.stored }
            #expect(
                third
                    == StoredRegion(
                        sequence: 3, sha256: fakeSHA(3), label: 0, radius: 0.375,
                        squaredNorm: RegionEncoding.squaredNorm(input(3)), input: input(3)))
            #expect(try reader.withRegion(sequence: 8) { _ in true } == nil)
            #expect(try reader.withRegion(sequence: 5) { ($0.inputCount, $0.sha256) } ?? (0, "") == (5, fakeSHA(5)))
        }
        var seen: [UInt64] = []
        try store.forEachRegion(from: 2, chunk: 3) { view in
            seen.append(view.sequence)
            #expect(view.stored.input == input(Int(view.sequence)))
        }
        #expect(seen == [2, 3, 4, 5, 6, 7])
        var all = 0
        try store.forEachRegion(chunk: 7) { _ in all += 1 }
        #expect(all == 7)
    }

    @Test func aTornRecordIsCorrupt() throws {
        let record = RegionEncoding.encode(sha256: [UInt8](repeating: 1, count: 32), label: 1, radius: 0.5, squaredNorm: 1, input: [1])
        #expect(throws: CertStoreError.self) { try record.dropLast(2).withUnsafeBytes { try RegionEncoding.view($0, sequence: 1) } }
        #expect(try Array(record.prefix(52)).withUnsafeBytes { try RegionEncoding.view($0, sequence: 1).inputCount } == 0)
    }
}
