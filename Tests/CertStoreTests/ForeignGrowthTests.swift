import CertTestSupport
import Foundation
import Testing

@testable import CertStore

/// Another process (mdb_load) grows the map past ours: our next transaction gets
/// MDB_MAP_RESIZED, and the environment adopts the new size instead of failing.
@Suite struct ForeignGrowthTests {
    @Test func aMapGrownByAnotherProcessIsAdopted() throws {
        let dir = try TemporaryDirectory("certstore")
        let env = try LMDBEnvironment(path: dir.file("env"), mapSize: 128 << 10)
        defer { env.close() }
        let mine = try env.database("mine")
        try env.write { tx in try tx.put(mine, key: "k", value: [1]) }

        // A dump of 2 MiB asking for a 16 MiB map, loaded while we hold the environment open.
        let value = String(repeating: "ab", count: 32 << 10)
        var dump = "VERSION=3\nformat=bytevalue\ndatabase=theirs\ntype=btree\nmapsize=\(16 << 20)\nHEADER=END\n"
        for i in 0..<64 {
            dump += " " + BigEndianUInt64(UInt64(i)).lmdbBytes.map { String(format: "%02x", $0) }.joined() + "\n " + value + "\n"
        }
        dump += "DATA=END\n"
        try dump.write(toFile: dir.file("dump"), atomically: true, encoding: .utf8)
        let load = try runTool("mdb_load", ["-f", dir.file("dump"), "-s", "theirs", dir.file("env")])
        #expect(load.status == 0)

        #expect(try env.read { try $0.get(mine, key: "k") } == [1])
        #expect(env.mapSize >= 16 << 20)
        let theirs = try env.database("theirs")
        #expect(try env.read { try $0.count(theirs) } == 64)
        try env.write { tx in try tx.put(mine, key: "k2", value: [2]) }
    }
}
