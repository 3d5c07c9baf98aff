import CLMDB
import CertTestSupport
import Foundation
import Testing

@testable import CertStore

@Suite struct ErrorTests {
    @Test func messagesNameTheRemedy() {
        let denied = LMDBError(code: EACCES, operation: "mdb_env_open", path: "/var/lib/x")
        #expect(denied.description.contains("permission denied"))
        #expect(denied.description.contains("/var/lib/x"))
        #expect(denied.description.contains("mdb_env_open"))
        #expect(denied.message == String(cString: strerror(EACCES)))

        let full = LMDBError(code: ENOSPC, operation: "mdb_txn_commit", path: "/var/lib/x")
        #expect(full.description.hasPrefix("disk full"))

        for code in [MDB_INVALID, MDB_VERSION_MISMATCH] {
            let bad = LMDBError(code: code, operation: "mdb_env_open", path: "/d")
            #expect(bad.isNotAnEnvironment)
            #expect(bad.description.contains("/d is not an LMDB environment"))
        }

        let mapFull = LMDBError(code: MDB_MAP_FULL, operation: "map growth", detail: "limit 1 bytes")
        #expect(mapFull.isMapFull)
        #expect(mapFull.description.contains("limit 1 bytes"))
        #expect(mapFull.description.contains("(\(MDB_MAP_FULL))"))

        let other = LMDBError(code: MDB_NOTFOUND, operation: "mdb_get")
        #expect(other.description.contains(other.message))
    }

    @Test func garbageDataFileIsNotAnEnvironment() throws {
        let dir = try TemporaryDirectory("certstore")
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        let garbage = Data((0..<16384).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        try garbage.write(to: URL(fileURLWithPath: dir.file("data.mdb")))
        do {
            _ = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
            Issue.record("garbage opened as an LMDB environment")
        } catch let error as LMDBError {
            #expect(error.isNotAnEnvironment)
            #expect(error.description.contains("is not an LMDB environment"))
        }
    }

    @Test func aFileWhereTheDirectoryShouldBe() throws {
        let dir = try TemporaryDirectory("certstore")
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.file("file"), contents: Data([1]))
        #expect(throws: LMDBError.self) { try LMDBEnvironment(path: dir.file("file")) }
    }
}
