import Testing

@testable import CertStore

@Suite struct KeyTests {
    @Test func stringAndByteKeys() {
        #expect("aé".lmdbBytes == [0x61, 0xC3, 0xA9])
        #expect([UInt8]([1, 2, 3]).lmdbBytes == [1, 2, 3])
    }

    @Test func bigEndianBytesRoundTrip() {
        #expect(BigEndianUInt64(0x0102_0304_0506_0708).lmdbBytes == [1, 2, 3, 4, 5, 6, 7, 8])
        for v: UInt64 in [0, 1, 255, 256, 65535, 65536, .max] {
            #expect(BigEndianUInt64(lmdbBytes: BigEndianUInt64(v).lmdbBytes)?.value == v)
        }
        #expect(BigEndianUInt64(lmdbBytes: [1, 2, 3]) == nil)
    }

    @Test func bigEndianKeysIterateNumericallyInLMDB() throws {
        try withTemporaryEnvironment { env, dir in
            let db = try env.database("numbers")
            // Insert out of order, across the one- and two-byte boundaries.
            let values: [UInt64] = [70000, 1, 65536, 256, 255, 65535, 0, 257, 1 << 40, 2]
            try env.write { tx throws in
                for v in values { try tx.put(db, key: BigEndianUInt64(v), value: [UInt8(v & 0xFF)]) }
            }
            var seen: [UInt64] = []
            try env.read { tx throws in
                try tx.forEach(db) { key, _ in
                    seen.append(BigEndianUInt64(lmdbBytes: key)!.value)
                    return true
                }
            }
            #expect(seen == values.sorted())
        }
    }

    @Test func sha256Hex() throws {
        let upper = String(repeating: "AB", count: 32)
        #expect(try SHA256Hex.normalized(upper) == String(repeating: "ab", count: 32))
        #expect(try SHA256Hex.bytes(upper) == [UInt8](repeating: 0xAB, count: 32))
        #expect(SHA256Hex.text([0x00, 0x0f, 0xf0, 0xff]) == "000ff0ff")
        #expect(throws: CertStoreError.self) { try SHA256Hex.normalized("xyz") }
        #expect(throws: CertStoreError.self) { try SHA256Hex.normalized(String(repeating: "g", count: 64)) }
    }
}
