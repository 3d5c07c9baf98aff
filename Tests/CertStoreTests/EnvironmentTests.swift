import CLMDB
import CertTestSupport
import Foundation
import Testing

@testable import CertStore

private struct Boom: Error {}

@Suite struct EnvironmentTests {
    @Test func opensAndCreatesTheDirectory() throws {
        let dir = try TemporaryDirectory("certstore")
        let path = dir.file("nested/env")
        let env = try LMDBEnvironment(path: path)
        defer { env.close() }
        #expect(env.path == path)
        #expect(env.staleReadersCleared == 0)
        #expect(env.mapSize == 64 << 20)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o027 } == 0)  // no group write, nothing for others
        #expect(FileManager.default.fileExists(atPath: dir.file("nested/env/data.mdb")))
        try env.sync()
    }

    @Test func databasesAreCached() throws {
        try withTemporaryEnvironment { env, dir in
            let a = try env.database("a")
            #expect(try env.database("a") == a)
            #expect(try env.database("b") != a)
            #expect(a.name == "a")
        }
    }

    @Test func getPutDeleteCount() throws {
        try withTemporaryEnvironment { env, dir in
            let db = try env.database("kv")
            try env.write { tx throws in
                #expect(try tx.put(db, key: "k1", value: [1]))
                #expect(try tx.put(db, key: [UInt8]([0, 1]), value: []))
                #expect(try tx.put(db, key: "k1", value: [9], noOverwrite: true) == false)
                #expect(try tx.get(db, key: "k1") == [1])  // the write sees itself
            }
            try env.read { tx throws in
                #expect(try tx.get(db, key: "k1") == [1])
                #expect(try tx.get(db, key: [UInt8]([0, 1])) == [])
                #expect(try tx.get(db, key: "missing") == nil)
                #expect(try tx.count(db) == 2)
            }
            try env.write { tx throws in
                #expect(try tx.put(db, key: "k1", value: [2]))  // overwrite allowed by default
                #expect(try tx.delete(db, key: [UInt8]([0, 1])))
                #expect(try tx.delete(db, key: "missing") == false)
            }
            try env.read { tx throws in
                #expect(try tx.get(db, key: "k1") == [2])
                #expect(try tx.count(db) == 1)
            }
        }
    }

    @Test func forEachFromKeyAndStop() throws {
        try withTemporaryEnvironment { env, dir in
            let db = try env.database("kv")
            try env.write { tx throws in
                for k in ["a", "b", "c", "d"] { try tx.put(db, key: k, value: Array(k.utf8)) }
            }
            var keys: [String] = []
            try env.read { tx throws in
                try tx.forEach(db, from: "bb") { key, value in
                    #expect(key == value)
                    keys.append(String(decoding: key, as: UTF8.self))
                    return keys.count < 2
                }
                #expect(try tx.last(db)?.key == Array("d".utf8))
            }
            #expect(keys == ["c", "d"])
            var all = 0
            try env.read { tx throws in
                try tx.forEach(db) { _, _ in
                    all += 1; return true
                }
            }
            #expect(all == 4)
        }
    }

    @Test func jsonRoundTripWithSortedKeys() throws {
        struct Item: Codable, Equatable { var zeta: Int; var alpha: String }
        try withTemporaryEnvironment { env, dir in
            let db = try env.database("json")
            try env.write { tx throws in try tx.putJSON(db, key: "i", value: Item(zeta: 1, alpha: "x")) }
            try env.read { tx throws in
                #expect(try tx.getJSON(db, key: "i", as: Item.self) == Item(zeta: 1, alpha: "x"))
                #expect(try tx.getJSON(db, key: "none", as: Item.self) == nil)
                #expect(String(decoding: try tx.get(db, key: "i")!, as: UTF8.self) == #"{"alpha":"x","zeta":1}"#)
            }
        }
    }

    @Test func aThrowingWriteLeavesNothing() throws {
        try withTemporaryEnvironment { env, dir in
            let db = try env.database("kv")
            try env.write { tx throws in try tx.put(db, key: "kept", value: [1]) }
            #expect(throws: Boom.self) {
                try env.write { tx throws in
                    try tx.put(db, key: "lost", value: [2])
                    try tx.delete(db, key: "kept")
                    throw Boom()
                }
            }
            try env.read { tx throws in
                #expect(try tx.get(db, key: "lost") == nil)
                #expect(try tx.get(db, key: "kept") == [1])
            }
        }
    }

    @Test func deadlockingPatternsFailFast() throws {
        try withTemporaryEnvironment { env, dir in
            let db = try env.database("kv")
            var escaped: WriteTransaction?
            try env.write { tx throws in
                escaped = tx
                #expect(throws: LMDBError.self) { try env.write { _ in } }
                // A read inside a write is allowed (it sees the last commit, not this write).
                try tx.put(db, key: "k", value: [1])
                #expect(try env.read { try $0.get(db, key: "k") } == nil)
            }
            try env.read { _ in
                #expect(throws: LMDBError.self) { try env.write { _ in } }
                try env.read { tx throws in #expect(try tx.get(db, key: "k") == [1]) }  // nested read
            }
            // A transaction kept past its closure refuses to touch freed memory.
            #expect(throws: LMDBError.self) { try escaped?.get(db, key: "k") }
        }
    }

    @Test func closedEnvironmentRefusesWork() throws {
        let dir = try TemporaryDirectory("certstore")
        let env = try LMDBEnvironment(path: dir.path)
        let db = try env.database("kv")
        env.close()
        env.close()  // idempotent
        #expect(throws: LMDBError.self) { try env.read { try $0.get(db, key: "k") } }
        #expect(throws: LMDBError.self) { try env.write { try $0.put(db, key: "k", value: []) } }
    }

    @Test func mapGrowsWhenFull() throws {
        let dir = try TemporaryDirectory("certstore")
        let env = try LMDBEnvironment(path: dir.path, mapSize: 128 << 10)
        defer { env.close() }
        #expect(env.mapSize == 128 << 10)
        let db = try env.database("blobs")
        var runs = 0
        // One transaction of 2 MiB: several doublings, the closure rerun each time.
        try env.write { tx throws in
            runs += 1
            for i in 0..<64 {
                try tx.put(db, key: BigEndianUInt64(UInt64(i)), value: [UInt8](repeating: UInt8(i), count: 32 << 10))
            }
        }
        #expect(runs > 1)
        #expect(env.mapSize >= 2 << 20)
        try env.read { tx throws in
            #expect(try tx.count(db) == 64)
            #expect(try tx.get(db, key: BigEndianUInt64(63)) == [UInt8](repeating: 63, count: 32 << 10))
        }
    }

    @Test func mapGrowthGivesUpAtTheLimit() throws {
        let dir = try TemporaryDirectory("certstore")
        let env = try LMDBEnvironment(path: dir.path, mapSize: 128 << 10, maxMapSize: 256 << 10)
        defer { env.close() }
        let db = try env.database("blobs")
        do {
            try env.write { tx throws in try tx.put(db, key: "big", value: [UInt8](repeating: 7, count: 1 << 20)) }
            Issue.record("a 1 MiB value fitted a 256 KiB map")
        } catch let error as LMDBError {
            #expect(error.isMapFull)
            #expect(error.description.contains("is full"))
            #expect(error.description.contains("maxMapSize"))
        }
        #expect(env.mapSize == 256 << 10)
        // The environment still works after giving up.
        try env.write { tx throws in try tx.put(db, key: "small", value: [1]) }
        #expect(try env.read { try $0.get(db, key: "small") } == [1])
    }

    @Test func aReaderKeepsItsSnapshotWhileAWriterCommits() throws {
        try withTemporaryEnvironment { env, dir in
            let db = try env.database("pair")
            try env.write { tx throws in
                try tx.put(db, key: "a", value: [0])
                try tx.put(db, key: "b", value: [0])
            }
            let committed = DispatchSemaphore(value: 0)
            try env.read { tx throws in
                #expect(try tx.get(db, key: "a") == [0])
                // A writer on another thread commits while this snapshot is open.
                Thread.detachNewThread {
                    try? env.write { w throws in
                        try w.put(db, key: "a", value: [1])
                        try w.put(db, key: "b", value: [1])
                    }
                    committed.signal()
                }
                committed.wait()
                #expect(try tx.get(db, key: "a") == [0])
                #expect(try tx.get(db, key: "b") == [0])
            }
            try env.read { tx throws in
                #expect(try tx.get(db, key: "a") == [1])
                #expect(try tx.get(db, key: "b") == [1])
            }
        }
    }

    @Test func concurrentReadersNeverSeeHalfACommit() throws {
        let dir = try TemporaryDirectory("certstore")
        // A small map so that growth (which waits for readers) happens under load too.
        let env = try LMDBEnvironment(path: dir.path, mapSize: 128 << 10)
        defer { env.close() }
        let db = try env.database("pair")
        let rounds = 200
        let torn = ManagedCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            if worker == 0 {
                for i in 1...rounds {
                    let v = BigEndianUInt64(UInt64(i)).lmdbBytes
                    try? env.write { tx throws in
                        try tx.put(db, key: "a", value: v)
                        try tx.put(db, key: BigEndianUInt64(UInt64(i)), value: [UInt8](repeating: 1, count: 4000))
                        try tx.put(db, key: "b", value: v)
                    }
                }
            } else {
                for _ in 0..<rounds {
                    try? env.read { tx throws in
                        if try tx.get(db, key: "a") != tx.get(db, key: "b") { torn.increment() }
                    }
                }
            }
        }
        #expect(torn.value == 0)
        #expect(try env.read { try $0.get(db, key: "a") } == BigEndianUInt64(UInt64(rounds)).lmdbBytes)
        #expect(env.mapSize > 128 << 10)
    }
}

/// A thread-safe counter for the stress test.
///
/// `@unchecked Sendable`: `count` is read and changed only under `lock`.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
