import CertTestSupport
import Foundation
import Testing

@testable import CertStore

/// One store per certificate kind: the kind is recorded at creation and checked at each open.
@Suite struct KindTests {
    private func changed(_ field: String, to value: String?) -> [String: String] {
        var kind = soundKind
        kind[field] = value
        return kind
    }

    /// Opens `dir` with `kind`, expecting a kind mismatch; returns the error.
    private func refusal(_ dir: TemporaryDirectory, kind: [String: String]) throws -> CertStoreError? {
        do {
            let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: kind)
            store.close()
            Issue.record("opened a store of another certificate kind: \(kind)")
            return nil
        } catch let error as CertStoreError {
            #expect(error == .kindMismatch(stored: soundKind, requested: kind, directory: dir.path))
            #expect(error.description.hasPrefix("\(dir.path) holds verdicts of another certificate kind: "))
            #expect(
                error.description.hasSuffix(
                    ". Use another --store (or state_dir) for this kind; the daemon keeps one store per kind."))
            return error
        }
    }

    @Test func theSameKindReopensAndSeesEarlierVerdicts() throws {
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        try store.putVerdict(sha256: fakeSHA(1), json: Array("{\"label\":1}".utf8))
        try store.appendArrival(sha256: fakeSHA(1))
        store.close()

        // The same fields, built in another order and capacity.
        var again = [String: String](minimumCapacity: 64)
        for (field, value) in soundKind.sorted(by: { $0.key > $1.key }) { again[field] = value }
        let reopened = try CertStore.open(directory: dir.path, modelSetID: "m", kind: again)
        defer { reopened.close() }
        #expect(reopened.kind == soundKind)
        #expect(try reopened.getVerdict(sha256: fakeSHA(1)) == Array("{\"label\":1}".utf8))
        #expect(try reopened.listArrivals(after: 0, limit: 10).map(\.1) == [fakeSHA(1)])
    }

    @Test(arguments: [("mode", "released"), ("bound", "hoeffding"), ("alpha", "0.01")])
    func aDifferentFieldIsRefused(field: String, value: String) throws {
        let dir = try TemporaryDirectory("certstore")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        try store.putVerdict(sha256: fakeSHA(1), json: [1])
        store.close()

        let error = try #require(try refusal(dir, kind: changed(field, to: value)))
        #expect(error.description.contains("\(field) is '\(soundKind[field]!)' there, '\(value)' here."))
        for other in soundKind.keys where other != field {
            #expect(!error.description.contains("\(other) is"))
        }
        // The refused open released the environment and changed nothing: the kind still opens.
        let reopened = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        defer { reopened.close() }
        #expect(try reopened.getVerdict(sha256: fakeSHA(1)) == [1])
    }

    @Test func theMessageNamesEveryDifferingField() throws {
        let dir = try TemporaryDirectory("certstore")
        try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind).close()
        var kind = changed("bound", to: "hoeffding")
        kind["alpha"] = "0.01"
        let error = try #require(try refusal(dir, kind: kind))
        #expect(
            error.description == "\(dir.path) holds verdicts of another certificate kind: "
                + "alpha is '0.001' there, '0.01' here; bound is 'betting' there, 'hoeffding' here. "
                + "Use another --store (or state_dir) for this kind; the daemon keeps one store per kind.")
    }

    @Test func aFieldOnOneSideOnlyIsRefused() throws {
        let dir = try TemporaryDirectory("certstore")
        try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind).close()

        let fewer = try #require(try refusal(dir, kind: changed("sigma_seed", to: nil)))
        #expect(fewer.description.contains(": sigma_seed is '0' there, missing here."))

        var more = soundKind
        more["target"] = "0.9"
        let extra = try #require(try refusal(dir, kind: more))
        #expect(extra.description.contains(": target is missing there, '0.9' here."))

        let empty = try #require(try refusal(dir, kind: [:]))
        for (field, value) in soundKind {
            #expect(empty.description.contains("\(field) is '\(value)' there, missing here"))
        }
        try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind).close()
    }

    @Test func theModelSetIsCheckedBeforeTheKind() throws {
        let dir = try TemporaryDirectory("certstore")
        try CertStore.open(directory: dir.path, modelSetID: "set-A", kind: soundKind).close()
        #expect(throws: CertStoreError.modelSetMismatch(stored: "set-A", requested: "set-B", directory: dir.path)) {
            try CertStore.open(directory: dir.path, modelSetID: "set-B", kind: changed("mode", to: "released"))
        }
    }

    /// Writes a `meta` database by hand, as an older (or broken) certssb left it.
    private func makeStore(_ dir: TemporaryDirectory, meta entries: [String: String]) throws {
        let env = try LMDBEnvironment(path: dir.path, maxDatabases: 16)
        defer { env.close() }
        let meta = try env.database("meta")
        let verdicts = try env.database("verdicts")
        try env.write { tx in
            for (key, value) in entries { try tx.put(meta, key: key, value: Array(value.utf8)) }
            try tx.put(verdicts, key: fakeSHA(1), value: Array("{}".utf8))
        }
    }

    @Test func aSchemaOneStoreIsRefusedWithTheRemedy() throws {
        let dir = try TemporaryDirectory("certstore")
        defer {
            dir.remove()
            try? FileManager.default.removeItem(atPath: dir.path + ".schema1")
        }
        // What `CertStore.open(directory:modelSetID:)` of schema 1 wrote.
        try makeStore(dir, meta: ["schema_version": "1", "model_set": "m"])
        do {
            _ = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
            Issue.record("opened a schema-1 store")
        } catch let error as CertStoreError {
            #expect(error == .olderSchema(found: "1", directory: dir.path))
            #expect(
                error.description == "\(dir.path) was made by an older certssb (schema 1) and does not record "
                    + "the certificate kind (mode, bound, alpha, sigma options) of its verdicts, so they cannot be "
                    + "reused safely: move it aside (mv \(dir.path) \(dir.path).schema1) or use another "
                    + "--store/state_dir; certssb will create a new store there.")
        }
        // Refused whatever the model set, and left untouched.
        #expect(throws: CertStoreError.olderSchema(found: "1", directory: dir.path)) {
            try CertStore.open(directory: dir.path, modelSetID: "other", kind: [:])
        }
        let env = try LMDBEnvironment(path: dir.path, maxDatabases: 16)
        let meta = try env.database("meta")
        try env.read { tx throws in
            #expect(try tx.get(meta, key: "schema_version") == Array("1".utf8))
            #expect(try tx.get(meta, key: "certificate_kind") == nil)
            #expect(try tx.count(meta) == 2)
        }
        env.close()

        // The remedy works: once moved aside, a new store is created in its place.
        try FileManager.default.moveItem(atPath: dir.path, toPath: dir.path + ".schema1")
        let store = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        defer { store.close() }
        #expect(try store.getVerdict(sha256: fakeSHA(1)) == nil)
    }

    @Test(arguments: ["3", "10", "0", "two"])
    func anUnknownSchemaIsRefused(schema: String) throws {
        let dir = try TemporaryDirectory("certstore")
        try makeStore(
            dir,
            meta: [
                "schema_version": schema, "model_set": "m",
                "certificate_kind": CertStore.canonicalJSON(soundKind),
            ])
        #expect(throws: CertStoreError.unsupportedSchema(found: schema, supported: 2, directory: dir.path)) {
            try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
        }
    }

    @Test func anIncompleteMetaIsCorrupt() throws {
        for entries in [
            ["schema_version": "2", "model_set": "m"],
            ["schema_version": "2", "model_set": "m", "certificate_kind": "[1]"],
            ["model_set": "m"],
        ] {
            let dir = try TemporaryDirectory("certstore")
            defer { dir.remove() }
            try makeStore(dir, meta: entries)
            #expect(throws: CertStoreError.self) {
                try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
            }
            do {
                _ = try CertStore.open(directory: dir.path, modelSetID: "m", kind: soundKind)
            } catch let CertStoreError.corruptRecord(database, _, _) {
                #expect(database == "meta")
            }
        }
    }

    @Test func canonicalJSONSortsAndEscapes() throws {
        #expect(CertStore.canonicalJSON([:]) == "{}")
        #expect(
            CertStore.canonicalJSON(soundKind)
                == #"{"alpha":"0.001","bound":"betting","mode":"sound","sigma_rule":"search","sigma_seed":"0"}"#)
        let odd = ["b": "x\"y\\z\n\t\u{01}\u{1F}/é∑", "a": "", "B": "upper first", "a b": "1"]
        let json = CertStore.canonicalJSON(odd)
        #expect(json == #"{"B":"upper first","a":"","a b":"1","b":"x\"y\\z\n\t\u0001\u001f/é∑"}"#)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(json.utf8)) == odd)
    }

    @Test func kindDigestFollowsEveryFieldAndTheModelSet() throws {
        let base = CertStore.kindDigest(modelSetID: "m", kind: soundKind)
        #expect(base.count == 64 && base == base.lowercased())
        #expect(try SHA256Hex.normalized(base) == base)
        // The documented input, checked against sha256sum.
        let dir = try TemporaryDirectory("certstore")
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        let input =
            #"{"certificate_kind":{"alpha":"0.001","bound":"betting","mode":"sound","sigma_rule":"search","sigma_seed":"0"},"model_set":"m"}"#
        try input.write(toFile: dir.file("input"), atomically: true, encoding: .utf8)
        let sum = try runTool("sha256sum", [dir.file("input")])
        #expect(sum.status == 0)
        #expect(sum.output.hasPrefix(base + " "))

        // Stable under dictionary order.
        var reordered = [String: String](minimumCapacity: 100)
        for (field, value) in soundKind.sorted(by: { $0.key > $1.key }) { reordered[field] = value }
        #expect(CertStore.kindDigest(modelSetID: "m", kind: reordered) == base)

        var seen: Set<String> = [base]
        for field in soundKind.keys {
            seen.insert(CertStore.kindDigest(modelSetID: "m", kind: changed(field, to: soundKind[field]! + "1")))
            seen.insert(CertStore.kindDigest(modelSetID: "m", kind: changed(field, to: nil)))
        }
        seen.insert(CertStore.kindDigest(modelSetID: "m", kind: changed("target", to: "0.9")))
        seen.insert(CertStore.kindDigest(modelSetID: "m2", kind: soundKind))
        seen.insert(CertStore.kindDigest(modelSetID: "", kind: soundKind))
        seen.insert(CertStore.kindDigest(modelSetID: "m", kind: [:]))
        seen.insert(CertStore.kindDigest(modelSetID: "m", kind: ["model_set": "m"]))
        #expect(seen.count == 1 + 2 * soundKind.count + 5)
    }
}
