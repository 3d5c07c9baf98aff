import CertTestSupport
import Foundation
import Testing

@testable import CertStore

@Suite struct CertStoreTests {
    @Test func metaIsWrittenOnFirstOpen() throws {
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "mnist-onepixel", kind: soundKind)
        defer { store.close() }
        #expect(CertStore.schemaVersion == 2)
        #expect(store.modelSetID == "mnist-onepixel")
        #expect(store.kind == soundKind)
        #expect(store.directory == dir.path)
        let env = store.environment
        let meta = try env.database("meta")
        try env.read { tx throws in
            #expect(try tx.get(meta, key: "schema_version") == Array("2".utf8))
            #expect(try tx.get(meta, key: "model_set") == Array("mnist-onepixel".utf8))
            #expect(
                try tx.get(meta, key: "certificate_kind")
                    == Array(
                        #"{"alpha":"0.001","bound":"betting","mode":"sound","sigma_rule":"search","sigma_seed":"0"}"#.utf8))
            #expect(try tx.count(meta) == 3)
        }
    }

    @Test func anotherModelSetIsRefused() throws {
        let dir = try TemporaryDirectory("certstore")
        try CertStore.open(directory: dir.path, modelSetID: "set-A", kind: soundKind).close()
        do {
            _ = try CertStore.open(directory: dir.path, modelSetID: "set-B", kind: soundKind)
            Issue.record("opened a store of another model set")
        } catch let error as CertStoreError {
            #expect(error == .modelSetMismatch(stored: "set-A", requested: "set-B", directory: dir.path))
            #expect(error.description.contains("belongs to model set set-A"))
            #expect(error.description.contains("use another --store"))
        }
        // The refused open released the environment: the right model set still opens.
        try CertStore.open(directory: dir.path, modelSetID: "set-A", kind: soundKind).close()
    }

    @Test func verdictsAndSigmasRoundTrip() throws {
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m1", kind: soundKind)
        defer { store.close() }
        let sha = fakeSHA(0xABC)
        let json = Array(#"{"label":3}"#.utf8)
        try store.putVerdict(sha256: sha, json: json)
        #expect(try store.getVerdict(sha256: sha) == json)
        #expect(try store.getVerdict(sha256: sha.uppercased()) == json)  // hex case does not matter
        #expect(try store.getVerdict(sha256: fakeSHA(1)) == nil)
        #expect(throws: CertStoreError.invalidSHA256("nope")) { try store.putVerdict(sha256: "nope", json: []) }

        let sigma = StoredSigma(sigma: 0.31, sigma0: 0.12, rule: "sga", steps: 40, seed: .max)
        try store.putSigma(sha256: sha, sigma)
        #expect(try store.getSigma(sha256: sha) == sigma)
        #expect(try store.getSigma(sha256: fakeSHA(2)) == nil)
        // Keyed "<modelSetID>/<sha256>".
        let sigmas = try store.environment.database("sigmas")
        #expect(try store.environment.read { try $0.get(sigmas, key: "m1/\(sha)") } != nil)
    }

    @Test func regionsRoundTripInSequenceOrder() throws {
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        defer { store.close() }
        #expect(try store.regions().isEmpty)
        let a: [Float] = [0.5, -1, 2, .leastNonzeroMagnitude]
        let s1 = try store.appendRegion(sha256: fakeSHA(1), label: 7, radius: 0.25, input: a)
        let s2 = try store.appendRegion(sha256: fakeSHA(2), label: -1, radius: 0, input: [])
        #expect((s1, s2) == (1, 2))
        let regions = try store.regions()
        #expect(
            regions == [
                StoredRegion(sequence: 1, sha256: fakeSHA(1), label: 7, radius: 0.25, squaredNorm: 5.25, input: a),
                StoredRegion(sequence: 2, sha256: fakeSHA(2), label: -1, radius: 0, squaredNorm: 0, input: []),
            ])
        #expect(try store.regionCount() == 2)
        #expect(throws: CertStoreError.labelOutOfRange(1 << 40)) {
            try store.appendRegion(sha256: fakeSHA(3), label: 1 << 40, radius: 1, input: [])
        }
    }

    @Test func regionRecordLayout() throws {
        let bytes = RegionEncoding.encode(
            sha256: [UInt8](repeating: 0xEE, count: 32), label: 2,
            radius: 1.5, squaredNorm: 4, input: [1, 2])
        #expect(bytes.count == 52 + 8)
        #expect(Array(bytes[32..<36]) == [2, 0, 0, 0])
        #expect(Array(bytes[36..<44]) == [0, 0, 0, 0, 0, 0, 0xF8, 0x3F])  // 1.5, little-endian
        #expect(Array(bytes[52..<56]) == [0, 0, 0x80, 0x3F])  // Float 1.0
        #expect(try RegionEncoding.decode(bytes, sequence: 9).input == [1, 2])
        #expect(throws: CertStoreError.self) { try RegionEncoding.decode(Array(bytes.dropLast()), sequence: 9) }
    }

    @Test func arrivalsPage() throws {
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        defer { store.close() }
        for i in 1...5 { #expect(try store.appendArrival(sha256: fakeSHA(i)) == UInt64(i)) }
        let first = try store.listArrivals(after: 0, limit: 2)
        #expect(first.map(\.0) == [1, 2])
        #expect(first.map(\.1) == [fakeSHA(1), fakeSHA(2)])
        #expect(try store.listArrivals(after: 2, limit: 10).map(\.0) == [3, 4, 5])
        #expect(try store.listArrivals(after: 5, limit: 10).isEmpty)
        #expect(try store.listArrivals(after: 0, limit: 0).isEmpty)
        #expect(try store.listArrivals(after: .max, limit: 3).isEmpty)
    }

    @Test func batchIsOneAllOrNothingTransaction() throws {
        struct Boom: Error {}
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        defer { store.close() }
        try store.batch { b throws in
            let sha = fakeSHA(10)
            #expect(try b.appendArrival(sha256: sha) == 1)
            #expect(try b.appendRegion(sha256: sha, label: 1, radius: 0.5, input: [1]) == 1)
            #expect(try b.appendRegion(sha256: sha, label: 1, radius: 0.5, input: [2]) == 2)
            try b.putSigma(sha256: sha, StoredSigma(sigma: 1, sigma0: 1, rule: "r", steps: 1, seed: 1))
            try b.putVerdict(sha256: sha, json: [1])
        }
        #expect(throws: Boom.self) {
            try store.batch { b throws in
                try b.appendArrival(sha256: fakeSHA(11))
                try b.putVerdict(sha256: fakeSHA(11), json: [2])
                throw Boom()
            }
        }
        #expect(try store.listArrivals(after: 0, limit: 10).map(\.1) == [fakeSHA(10)])
        #expect(try store.regions().map(\.input) == [[1], [2]])
        #expect(try store.getVerdict(sha256: fakeSHA(10)) == [1])
        #expect(try store.getVerdict(sha256: fakeSHA(11)) == nil)
        #expect(try store.getSigma(sha256: fakeSHA(10))?.rule == "r")
    }

    @Test func tenMegabytesOfRegionsGrowATinyMapAndSurviveARestart() throws {
        let dir = try TemporaryDirectory("certstore")
        let dimension = 3 * 32 * 32  // a CIFAR-sized input: 12 KiB a region
        let count = 860  // ≈ 10.6 MB
        func input(_ i: Int) -> [Float] { (0..<dimension).map { Float(($0 + i) % 97) / 97 } }

        let store = try CertStore.open(directory: dir.path, modelSetID: "cifar", kind: soundKind, mapSize: 128 << 10)
        #expect(store.environment.mapSize == 128 << 10)
        // Some single appends, then batches of 50.
        for i in 0..<10 { try store.appendRegion(sha256: fakeSHA(i), label: i % 10, radius: Double(i), input: input(i)) }
        for start in stride(from: 10, to: count, by: 50) {
            try store.batch { b throws in
                for i in start..<min(start + 50, count) {
                    try b.appendRegion(sha256: fakeSHA(i), label: i % 10, radius: Double(i), input: input(i))
                    try b.appendArrival(sha256: fakeSHA(i))
                }
            }
        }
        #expect(store.environment.mapSize >= 16 << 20)
        store.close()

        // A "restart": a new handle reads everything back.
        let reopened = try CertStore.open(directory: dir.path, modelSetID: "cifar", kind: soundKind, mapSize: 128 << 10)
        defer { reopened.close() }
        #expect(reopened.environment.mapSize >= 16 << 20)  // the grown size persisted
        let regions = try reopened.regions()
        #expect(regions.count == count)
        #expect(regions.map(\.sequence) == (1...UInt64(count)).map { $0 })
        for i in [0, 9, 10, 500, count - 1] {
            #expect(regions[i].input == input(i))
            #expect(regions[i].label == i % 10)
            #expect(regions[i].radius == Double(i))
            #expect(regions[i].sha256 == fakeSHA(i))
            #expect(abs(regions[i].squaredNorm - RegionEncoding.squaredNorm(input(i))) == 0)
        }
        #expect(try reopened.listArrivals(after: 0, limit: 10_000).count == count - 10)
    }

    @Test func mdbToolsReadTheStore() throws {
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        try store.batch { b throws in
            try b.appendRegion(sha256: fakeSHA(1), label: 1, radius: 1, input: [1, 2, 3])
            try b.appendArrival(sha256: fakeSHA(1))
            try b.putVerdict(sha256: fakeSHA(1), json: Array("{}".utf8))
            try b.putSigma(sha256: fakeSHA(1), StoredSigma(sigma: 1, sigma0: 1, rule: "r", steps: 1, seed: 1))
        }
        store.close()

        let stat = try runTool("mdb_stat", ["-a", dir.path])
        #expect(stat.status == 0)
        for name in ["meta", "verdicts", "sigmas", "regions", "arrivals"] {
            #expect(stat.output.contains("Status of \(name)"))
        }
        let list = try runTool("mdb_dump", ["-l", dir.path])
        #expect(list.status == 0)
        #expect(
            Set(list.output.split(separator: "\n").map(String.init))
                == ["meta", "verdicts", "sigmas", "regions", "arrivals"])
        let dump = try runTool("mdb_dump", ["-s", "regions", dir.path])
        #expect(dump.status == 0)
        #expect(dump.output.contains("database=regions"))
        #expect(dump.output.contains("DATA=END"))
        #expect(dump.output.contains(" 0000000000000001\n"))  // the big-endian sequence key
    }
}
