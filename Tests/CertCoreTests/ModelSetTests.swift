import CertCore
import CertTestSupport
import Foundation
import Testing

@Suite struct ModelSetTests {
    @Test func writtenSetLoadsBackWithChecksumsAndSeeds() throws {
        let directory = try TemporaryDirectory("set")
        defer { directory.remove() }
        let dir = directory.path
        let manifest = try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: 3)
        let set = try ModelSet.load(directory: dir)
        #expect(set.count == 3)
        #expect(set.manifest == manifest)
        for (i, m) in manifest.models.enumerated() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + m.file))
            #expect(Checksum.sha256Hex(bytes) == m.sha256)
            #expect(m.noiseSeed == UInt32(m.sha256.suffix(8), radix: 16))
            let expected = RandomModelSet.tensors(for: .mnistCNN, seed: 1 + UInt32(i))
            for t in expected { #expect(set.weights[i].values(t.name, count: t.values.count) == t.values) }
        }
    }

    @Test func halfPrecisionWeightsAreWidenedOnLoad() throws {
        let directory = try TemporaryDirectory("f16")
        defer { directory.remove() }
        let dir = directory.path
        try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: 1, dtype: .f16)
        let set = try ModelSet.load(directory: dir)
        let exact = RandomModelSet.tensors(for: .mnistCNN, seed: 1).first { $0.name == "fc.weight" }!.values
        let loaded = set.weights[0].values("fc.weight", count: exact.count)
        #expect(zip(exact, loaded).allSatisfy { Float(Float16($0.0)) == $0.1 })
    }

    @Test func sha256MatchesAKnownDigest() {
        #expect(Checksum.sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Checksum.seedModulo32(sha256Hex: "da765057cf51dce633ff56782f13f83943cb824184bb54eebfd9f9319add86eb") == 2_598_209_259)
    }

    /// A set damaged by `damage`, in a directory removed when the value goes away.
    private func brokenSet(_ damage: (String, inout ModelSetManifest) throws -> Void) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("broken")
        var manifest = try RandomModelSet.write(directory: directory.path, architecture: .mnistCNN, count: 2)
        try damage(directory.path, &manifest)
        return directory
    }

    private func loadError(_ dir: String) -> String {
        do { _ = try ModelSet.load(directory: dir); return "loaded" } catch { return "\(error)" }
    }

    @Test func missingDirectoryIsAClearError() {
        #expect(loadError("/nonexistent/model-set").contains("no such model set directory"))
    }

    @Test func corruptSafetensorsHeaderIsAClearError() throws {
        let dir = try brokenSet { dir, m in
            let path = dir + "/" + m.models[1].file
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes.replaceSubrange(8..<20, with: Data("garbage!!!!!".utf8))
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        let message = loadError(dir.path)
        #expect(message.contains("model_0001.safetensors") && message.contains("not a JSON object"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test func truncatedWeightsAndWrongChecksumsAreRefused() throws {
        let truncated = try brokenSet { dir, m in
            let path = dir + "/" + m.models[0].file
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: path))
        }
        #expect(loadError(truncated.path).contains("data_offsets"))
        let tampered = try brokenSet { dir, m in
            let path = dir + "/" + m.models[0].file
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 1] ^= 0xff
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        #expect(loadError(tampered.path).contains("sha256 is"))
    }

    @Test func manifestErrorsNameTheProblem() throws {
        let wrongCount = try brokenSet { dir, m in
            m.nModels = 5
            try m.encoded().write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        }
        #expect(loadError(wrongCount.path).contains("n_models is 5"))
        let missingKey = try brokenSet { dir, _ in
            try Data(#"{"format": "certssb-model-set"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        }
        #expect(loadError(missingKey.path).contains("lacks the key"))
        let wrongShape = try brokenSet { dir, m in
            var t = RandomModelSet.tensors(for: .mnistCNN, seed: 1)
            t[0] = (t[0].name, [16, 1, 25], t[0].values)
            try Safetensors.encode(t).write(to: URL(fileURLWithPath: dir + "/" + m.models[0].file))
        }
        #expect(loadError(wrongShape.path).contains("has shape [16, 1, 25]"))
    }
}
