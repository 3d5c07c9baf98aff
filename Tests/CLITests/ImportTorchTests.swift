import CertTestSupport
import Foundation
import Testing

@Suite(
    "CLI: import-torch of the authors' 16 checkpoints", .blockingWork,
    .enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
struct ImportTorchTests {
    @Test("manifest.json records each checkpoint's sha256 and noise seed as reference_logits.json does")
    func manifestMatchesReference() throws {
        let fixture = try MNISTFixture.get()
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture.modelSet).appendingPathComponent("manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])

        #expect(manifest["n_models"] as? Int == 16)
        #expect(manifest["architecture"] as? String == "mnist-cnn")
        #expect(manifest["sigma0"] as? Double == 0.12)
        #expect(manifest["trigger"] as? String == "onepixel")
        #expect(manifest["input_shape"] as? [Int] == [1, 28, 28])

        let models = try #require(manifest["models"] as? [[String: Any]])
        try #require(models.count == 16)
        var weights: [(path: String, sha256: String?)] = []
        for (k, model) in models.enumerated() {
            let reference = try #require(fixture.reference.model(k), "reference_logits.json has no smoothed_\(k).model")
            let source = model["source"] as? [String: Any]
            #expect(source?["sha256"] as? String == reference.sha256, "models[\(k)].source.sha256")
            #expect(source?["file"] as? String == "smoothed_\(k).model", "models[\(k)].source.file")
            let seed = (model["noise_seed"] as? NSNumber)?.uint64Value
            #expect(seed == reference.seed_mod_2_32, "models[\(k)].noise_seed")
            let file = try #require(model["file"] as? String, "models[\(k)].file")
            weights.append(((fixture.modelSet as NSString).appendingPathComponent(file), model["sha256"] as? String))
        }

        // Each weights file hashes (by coreutils) to the sha256 the manifest gives it.
        let hashes = try CLI.sha256sum(weights.map(\.path))
        for w in weights {
            #expect(w.sha256 != nil && hashes[w.path] == w.sha256, "sha256 of \(w.path)")
        }
    }

    @Test("the import run exits 0 and says what it wrote on stderr, not stdout")
    func importRunIsQuiet() throws {
        let fixture = try MNISTFixture.get()
        #expect(fixture.importRun.exited(0), "\(fixture.importRun.summary)")
        #expect(fixture.importRun.stdoutLines.isEmpty, "\(fixture.importRun.summary)")
    }

    @Test("--limit 2 imports only the first two checkpoints")
    func limit() throws {
        let folder = try TemporaryDirectory("limit")
        let out = folder.file("set")
        let run = try CLI.run([
            "import-torch", "--from", Paths.checkpoints.path, "--out", out,
            "--sigma", "0.12", "--trigger", "onepixel", "--limit", "2",
        ])
        try #require(run.exited(0), "\(run.summary)")
        let data = try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(manifest["n_models"] as? Int == 2)
        let models = manifest["models"] as? [[String: Any]] ?? []
        #expect(models.count == 2)
        let reference = try ReferenceLogits.load()
        for (k, model) in models.enumerated() {
            #expect((model["source"] as? [String: Any])?["sha256"] as? String == reference.model(k)?.sha256)
        }
    }

    @Test("importing from a folder without checkpoints exits 2 with one stderr line")
    func emptySource() throws {
        let folder = try TemporaryDirectory("empty-source")
        let run = try CLI.run([
            "import-torch", "--from", folder.path, "--out", folder.file("set"),
            "--sigma", "0.12", "--trigger", "onepixel",
        ])
        #expect(run.exited(2), "\(run.summary)")
        #expect(run.stderrLines.count == 1 && run.stderrLines.first?.hasPrefix("certssb: ") == true, "\(run.summary)")
    }
}
