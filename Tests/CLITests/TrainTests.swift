import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `certssb train` end to end on the 0-vs-1 digits of mnist_5k (tiny runs: a debug build).
/// Each run trains real CNNs; `.blockingWork` bounds how many run at once, so the suite need
/// not be serialized (each test has a folder of its own).
@Suite("CLI: train on MNIST 0 vs 1", .blockingWork, .enabled(if: TrainPaths.csvAvailable, TrainPaths.csvSkipReason))
struct TrainTests {
    /// One model, three epochs: a model set that is accurate, records its poison and certifies.
    @Test("train N_m 1, 3 epochs: exit 0, accuracy >= 0.99, floor(n*0.02) poisoned, certify reads the set")
    func trainOneModel() throws {
        let folder = try TemporaryDirectory("train-one")
        let out = folder.file("set")
        let run = try CLI.run(TrainPaths.train(out: out, models: 1, epochs: 3, workers: 1), timeout: 600)
        try #require(run.exited(0), "\(run.summary)")
        print("train N_m 1: \(run.stderrLines.last ?? "")")

        let manifest = try Manifest(directory: out)
        let smoothed = try #require(
            manifest.number("accuracy.smoothed_clean_accuracy"), "no accuracy.smoothed_clean_accuracy in \(manifest.path)")
        let modelMin = try #require(
            manifest.number("accuracy.model_clean_accuracy_min"), "no accuracy.model_clean_accuracy_min in \(manifest.path)")
        #expect(smoothed >= 0.99, "smoothed clean accuracy \(smoothed) < 0.99")
        #expect(modelMin >= 0.99, "model clean accuracy min \(modelMin) < 0.99")
        #expect(manifest.value("accuracy.split") as? String == "test", "accuracy must be measured on the held-out split")
        // mnist_5k: 500 images per digit, 4/5 train → 400 + 400 zeros and ones; 1/5 test → 200.
        #expect(manifest.number("training.test_images") == 200)
        #expect(manifest.number("accuracy.images") == manifest.number("training.test_images"))

        let n = try #require(manifest.number("training.train_images"), "no training.train_images")
        #expect(n == 800, "mnist_5k has 400 zeros and 400 ones in its train split, manifest says \(n)")
        let indices = try #require(manifest.value("training.poisoning.indices") as? [NSNumber], "no training.poisoning.indices")
        #expect(indices.count == Int((n * 0.02).rounded(.down)), "\(indices.count) poisoned, expected floor(\(n) * 0.02)")
        let values = indices.map(\.intValue)
        #expect(Set(values).count == values.count, "poisoned indices repeat: \(values)")
        #expect(values.allSatisfy { $0 >= 0 && $0 < Int(n) }, "poisoned index outside the training set: \(values)")
        // The attacker picks among non-target (label 1) samples only; train order is 400 zeros then 400 ones.
        #expect(values.allSatisfy { $0 >= 400 }, "a poisoned index is a target-label (digit 0) sample: \(values)")
        #expect(manifest.value("training.poisoning.trigger") as? String == "onepixel")
        #expect(manifest.value("training.recipe") is [String: Any], "no training.recipe")

        // The weights on disk are the ones the manifest names.
        #expect(manifest.models.count == 1)
        let weights = (out as NSString).appendingPathComponent(manifest.file(0))
        let hashes = try CLI.sha256sum([weights])
        #expect(hashes[weights] == manifest.sha256s.first, "manifest sha256 \(manifest.sha256s) vs file \(hashes)")
        #expect(
            !FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent(".partial")),
            ".partial left behind after a finished run")

        // The written set certifies a digit: rows 450 (a 0) and 950 (a 1) are in the test split.
        let pngs = folder.file("png")
        let export = try CLI.run(["export-images", "--csv", Paths.mnistCSV.path, "--rows", "450,950", "--out", pngs], timeout: 120)
        try #require(export.exited(0) && export.stdoutLines.count == 2, "\(export.summary)")
        let certify = try CLI.run(["certify", "--model-set", out] + export.stdoutLines, timeout: 300)
        #expect(certify.exited(0) || certify.exited(1), "\(certify.summary)")
        let verdicts = certify.verdicts()
        try #require(verdicts.count == 2, "\(certify.summary)")
        #expect(verdicts.map(\.label) == [0, 1], "the trained model misreads clean digits: \(verdicts.map(\.brief))")
        #expect(verdicts.allSatisfy { $0.n_models == 1 && $0.sigma0 == 0.12 }, "\(verdicts.map(\.brief))")
    }

    /// The brief's convention for manifest.json: snake_case keys throughout.
    @Test("manifest.json keys are snake_case, including training.recipe")
    func manifestKeysSnakeCase() throws {
        let folder = try TemporaryDirectory("train-keys")
        let out = folder.file("set")
        let run = try CLI.run(TrainPaths.train(out: out, models: 1, epochs: 1, workers: 1), timeout: 600)
        try #require(run.exited(0), "\(run.summary)")
        let manifest = try Manifest(directory: out)
        var bad: [String] = []
        func walk(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                for (key, child) in object {
                    if key.contains(where: { $0.isUppercase }) { bad.append(path.isEmpty ? key : "\(path).\(key)") }
                    walk(child, path.isEmpty ? key : "\(path).\(key)")
                }
            } else if let array = value as? [Any] {
                for (k, child) in array.enumerated() { walk(child, "\(path)[\(k)]") }
            }
        }
        walk(manifest.object, "")
        #expect(bad.isEmpty, "camelCase keys in manifest.json: \(bad.sorted())")
    }

    @Test("same seed: identical models with --workers 1 and 2; another seed: other models")
    func determinism() throws {
        let folder = try TemporaryDirectory("train-determinism")
        let one = folder.file("w1"), two = folder.file("w2"), other = folder.file("seed2")
        let runOne = try CLI.run(TrainPaths.train(out: one, models: 2, epochs: 1, workers: 1, seed: 7), timeout: 600)
        try #require(runOne.exited(0), "\(runOne.summary)")
        let runTwo = try CLI.run(TrainPaths.train(out: two, models: 2, epochs: 1, workers: 2, seed: 7), timeout: 600)
        try #require(runTwo.exited(0), "\(runTwo.summary)")
        let runOther = try CLI.run(TrainPaths.train(out: other, models: 2, epochs: 1, workers: 1, seed: 8), timeout: 600)
        try #require(runOther.exited(0), "\(runOther.summary)")

        let a = try Manifest(directory: one), b = try Manifest(directory: two), c = try Manifest(directory: other)
        try #require(a.models.count == 2 && b.models.count == 2 && c.models.count == 2)
        #expect(Set(a.sha256s).count == 2, "the two models of one set are identical: \(a.sha256s)")
        #expect(a.sha256s == b.sha256s, "--workers changed the weights: \(a.sha256s) vs \(b.sha256s)")
        #expect(a.noiseSeeds == b.noiseSeeds, "--workers changed the noise seeds: \(a.noiseSeeds) vs \(b.noiseSeeds)")
        // The files agree with the manifests (coreutils, not certssb, hashes them).
        let files = (0..<2).map { (two as NSString).appendingPathComponent(b.file($0)) }
        let hashes = try CLI.sha256sum(files)
        #expect(files.map { hashes[$0] ?? "" } == b.sha256s, "files vs manifest: \(hashes) vs \(b.sha256s)")

        #expect(Set(c.sha256s).isDisjoint(with: a.sha256s), "--seed 8 gave a model of --seed 7: \(c.sha256s) vs \(a.sha256s)")
        #expect(c.noiseSeeds != a.noiseSeeds)
        let poisonA = a.value("training.poisoning.indices") as? [NSNumber], poisonC = c.value("training.poisoning.indices") as? [NSNumber]
        #expect(poisonA != nil && poisonA == (b.value("training.poisoning.indices") as? [NSNumber]), "same seed, other poison")
        #expect(poisonA != poisonC, "the poison choice does not depend on --seed")
    }

    /// The brief's scenario: a finished N_m 2 set grown to N_m 3 in the same folder keeps models
    /// 0 and 1 and trains only model 2.
    @Test("--pilot 2: stage 1 trains a pilot at sigma0, searches each sample's sigma with it, then removes it")
    func pilotGivesEachTrainingSampleItsSigma() throws {
        let folder = try TemporaryDirectory("train-pilot")
        let out = folder.file("set")
        let search = ["--pilot", "2", "--sigma-rule", "gradient", "--sigma-steps", "3", "--sigma-draws", "2", "--sigma-models", "2"]
        let run = try CLI.run(TrainPaths.train(out: out, models: 1, epochs: 1, workers: 2, extra: search), timeout: 600)
        try #require(run.exited(0), "\(run.summary)")
        #expect(run.err.contains("stage 1, pilot: training 2 mnist-cnn models"), "\(run.summary)")
        let manifest = try Manifest(directory: out)
        #expect(manifest.value("training.sample_sigmas.rule") as? String == "gradient")
        #expect(manifest.number("training.sample_sigmas.models") == 2)
        #expect((manifest.value("training.sample_sigmas.model_set_directory") as? String)?.hasSuffix("/.pilot") == true)
        // Three steps of at most 0.01 from sigma0 = 0.12, never below it.
        let low = try #require(manifest.number("training.sample_sigmas.min")),
            high = try #require(manifest.number("training.sample_sigmas.max"))
        #expect(low >= 0.12 && high <= 0.15 + 1e-9 && high > 0.12, "sigmas in [\(low), \(high)]")
        #expect(manifest.models.count == 1)
        #expect(!FileManager.default.fileExists(atPath: out + "/.pilot"), "the pilot is removed once the set is written")

        let both = try CLI.run(
            TrainPaths.train(
                out: folder.file("other"), models: 1, epochs: 1, workers: 1,
                extra: ["--pilot", "2", "--sigma-model-set", out]), timeout: 60)
        #expect(both.exited(2) && both.err.contains("--pilot and --sigma-model-set"), "\(both.summary)")
    }

    @Test("N_m 2 then N_m 3 into the same --out: resumes 2 models and keeps their sha256")
    func growFinishedSet() throws {
        let folder = try TemporaryDirectory("train-grow")
        let out = folder.file("set")
        let first = try CLI.run(TrainPaths.train(out: out, models: 2, epochs: 1, workers: 1), timeout: 600)
        try #require(first.exited(0), "\(first.summary)")
        let before = try Manifest(directory: out).sha256s

        let second = try CLI.run(TrainPaths.train(out: out, models: 3, epochs: 1, workers: 1), timeout: 600)
        try #require(second.exited(0), "\(second.summary)")
        let after = try Manifest(directory: out)
        try #require(after.models.count == 3, "\(after.sha256s)")
        #expect(Array(after.sha256s.prefix(2)) == before, "models 0 and 1 changed: \(before) → \(after.sha256s)")
        #expect(
            second.err.contains("resuming: 2/3 models already trained"),
            "the rerun did not resume the 2 finished models (it trained them again): \(second.summary)")
        #expect(
            !second.err.contains("model 0 done") && !second.err.contains("model 1 done"),
            "models 0 and 1 were trained again: \(second.summary)")
    }

    /// An interrupted run (SIGTERM after the first finished model) leaves `.partial`; the same
    /// command resumes from it; another recipe is refused while it is there.
    @Test("interrupted run: same command resumes; another --epochs is refused with exit 2 while .partial exists")
    func resumeInterrupted() throws {
        let folder = try TemporaryDirectory("train-resume")
        let out = folder.file("set")
        let partial = (out as NSString).appendingPathComponent(".partial")
        let arguments = TrainPaths.train(out: out, models: 3, epochs: 1, workers: 1)
        let (killed, interrupted) = try CLI.runInterrupted(arguments, after: "model 0 done")
        try #require(interrupted, "the run ended before its first model was reported: \(killed.summary)")
        try #require(killed.reason == .uncaughtSignal && killed.status == SIGTERM, "SIGTERM did not stop the run: \(killed.summary)")
        let records = ((try? FileManager.default.contentsOfDirectory(atPath: partial)) ?? [])
            .filter { $0.hasPrefix("model_") && $0.hasSuffix(".json") }
        try #require(
            FileManager.default.fileExists(atPath: (partial as NSString).appendingPathComponent("training.json")),
            "no \(partial)/training.json after the interruption: \(killed.summary)")
        let finished = records.count
        try #require(finished >= 1 && finished < 3, "\(finished) finished models in .partial: \(records)")
        let hashBefore = try CLI.sha256sum([(partial as NSString).appendingPathComponent("model_0000.safetensors")]).values.first

        // Another recipe into the same folder: refused, and .partial is untouched.
        let refused = try CLI.run(TrainPaths.train(out: out, models: 3, epochs: 2, workers: 1), timeout: 600)
        #expect(refused.exited(2), "\(refused.summary)")
        let last = refused.stderrLines.last ?? ""
        #expect(last.hasPrefix("certssb: ") && last.contains(".partial"), "the refusal does not name .partial: \(refused.summary)")
        #expect(!refused.err.contains("done ("), "the refused run trained a model: \(refused.summary)")
        #expect(
            FileManager.default.fileExists(atPath: (partial as NSString).appendingPathComponent("model_0000.safetensors")),
            "the refused run removed the finished model")
        #expect(!FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent("manifest.json")))

        // The same command resumes, and the result equals an uninterrupted run.
        let resumed = try CLI.run(arguments, timeout: 600)
        try #require(resumed.exited(0), "\(resumed.summary)")
        #expect(resumed.err.contains("resuming: \(finished)/3 models already trained"), "\(resumed.summary)")
        #expect(!resumed.err.contains("model 0 done"), "model 0 was trained again: \(resumed.summary)")
        let manifest = try Manifest(directory: out)
        try #require(manifest.models.count == 3)
        #expect(manifest.sha256s[0] == hashBefore, "model 0 changed on resume")
        #expect(!FileManager.default.fileExists(atPath: partial), ".partial left behind")

        let fresh = folder.file("fresh")
        let reference = try CLI.run(TrainPaths.train(out: fresh, models: 3, epochs: 1, workers: 2), timeout: 600)
        try #require(reference.exited(0), "\(reference.summary)")
        #expect(try Manifest(directory: fresh).sha256s == manifest.sha256s, "an interrupted and resumed run differs from one straight run")
    }
}
