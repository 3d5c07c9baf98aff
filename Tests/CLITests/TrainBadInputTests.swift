import CertTestSupport
import Foundation
import Testing

/// One bad `train` input and what the one stderr line must say.
enum TrainBadInput: String, CaseIterable, CustomTestStringConvertible {
    case missingDataFolder, wrongImageMagic, truncatedImageBody, labelCountMismatch, unknownShape, failingPlugin

    var testDescription: String { rawValue }

    struct Scenario {
        var arguments: [String]
        /// Every one of these must appear in the line.
        var mustContain: [String]
        /// At least one of these (case-insensitive) must appear in the line, outside the paths.
        var keywords: [String]
        /// Every one of these must appear in the line outside the paths (numbers, say).
        var reasonContains: [String] = []
    }

    static let pluginMessage = "image too dark for this trigger (code 7 test)"

    func scenario(in folder: TemporaryDirectory) throws -> Scenario {
        let out = folder.file("out")
        func train(data: String, shape: String = "onepixel", extra: [String] = []) -> [String] {
            [
                "train", "--dataset", "mnist", "--wm_shape", shape, "--sigma", "0.12", "--N_m", "1", "--epochs", "1",
                "--workers", "1", "--data", data, "--out", out,
            ] + extra
        }
        let labels = IDX.labelList(150)
        switch self {
        case .missingDataFolder:
            let data = folder.file("no-such-data")
            return Scenario(
                arguments: train(data: data), mustContain: [data],
                keywords: ["no such", "not found", "does not exist", "missing"])
        case .wrongImageMagic:
            let idx = try IDX.writeFolder(
                at: folder.file("data"), trainImages: IDX.images(labels: labels, magic: 0x0000_0804),
                trainLabels: IDX.labels(labels))
            return Scenario(arguments: train(data: idx.root), mustContain: [idx.trainImages], keywords: ["magic"])
        case .truncatedImageBody:
            let full = IDX.images(labels: labels)
            let idx = try IDX.writeFolder(
                at: folder.file("data"), trainImages: full.prefix(full.count - 300),
                trainLabels: IDX.labels(labels))
            return Scenario(
                arguments: train(data: idx.root), mustContain: [idx.trainImages], keywords: ["truncat", "short", "end of file"])
        case .labelCountMismatch:
            let idx = try IDX.writeFolder(
                at: folder.file("data"), trainImages: IDX.images(labels: labels),
                trainLabels: IDX.labels(Array(labels.prefix(149))))
            return Scenario(
                arguments: train(data: idx.root), mustContain: [idx.trainLabels],
                keywords: ["label"], reasonContains: ["149", "150"])
        case .unknownShape:
            let idx = try IDX.writeFolder(
                at: folder.file("data"), trainImages: IDX.images(labels: labels),
                trainLabels: IDX.labels(labels))
            return Scenario(
                arguments: train(data: idx.root, shape: "ninepixel"), mustContain: ["ninepixel"],
                keywords: ["unknown", "no plugin", "not found", "no trigger"])
        case .failingPlugin:
            let idx = try IDX.writeFolder(
                at: folder.file("data"), trainImages: IDX.images(labels: labels),
                trainLabels: IDX.labels(labels))
            let plugins = try TestPlugin.folder(in: folder, "plugins")
            try TestPlugin.build(
                TestPlugin.source(name: "failing", failMessage: Self.pluginMessage), into: plugins,
                fileName: "libcertssb-trigger-failing.so")
            return Scenario(
                arguments: train(data: idx.root, shape: "failing", extra: ["--plugin-dir", plugins]),
                mustContain: [Self.pluginMessage, "failing"], keywords: ["image too dark"])
        }
    }
}

@Suite("CLI: train refuses bad inputs with exit 2 and one stderr line", .blockingWork)
struct TrainBadInputTests {
    @Test("each bad train input: exit 2, one stderr line that says the problem", arguments: TrainBadInput.allCases)
    func badInput(_ input: TrainBadInput) throws {
        if input == .failingPlugin && !TestPlugin.compilerAvailable {
            print("\(input.rawValue): \(TestPlugin.compilerSkipReason)")
            return
        }
        let folder = try TemporaryDirectory("train-bad-\(input.rawValue)")
        let scenario = try input.scenario(in: folder)
        let run = try CLI.run(scenario.arguments, timeout: 300)

        #expect(run.reason == .exit && !run.timedOut, "ended by a signal or timed out: \(run.summary)")
        #expect(run.exited(2), "\(run.summary)")
        try #require(run.stderrLines.count == 1, "expected exactly one stderr line: \(run.summary)")
        let line = run.stderrLines[0]
        print("train bad input \(input.rawValue): \(line)")
        #expect(line.hasPrefix("certssb: "), "\(line)")
        for part in scenario.mustContain {
            #expect(line.contains(part), "stderr line does not contain '\(part)': \(line)")
        }
        // The reason: the line without any path under the test's folder (UUIDs hold digits and words).
        let reason = line.replacingOccurrences(
            of: NSRegularExpression.escapedPattern(for: folder.path) + "[^\\s:,;)]*",
            with: "<path>", options: .regularExpression
        ).lowercased()
        #expect(scenario.keywords.contains { reason.contains($0) }, "stderr line does not say the problem (\(scenario.keywords)): \(line)")
        for part in scenario.reasonContains {
            #expect(reason.contains(part), "stderr line does not say '\(part)' (outside the paths): \(line)")
        }
        #expect(run.out.isEmpty, "stdout is not empty: \(run.summary)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out/manifest.json")), "a manifest was written")
    }

    /// The good twin of the IDX cases: the same generated folder without a defect trains, so the
    /// refusals above come from the defects and not from the layout.
    @Test("a well-formed IDX data/ folder (MNIST/train, MNIST/test) trains")
    func goodIDXFolder() throws {
        let folder = try TemporaryDirectory("train-good-idx")
        let labels = IDX.labelList(150)
        let idx = try IDX.writeFolder(at: folder.file("data"), trainImages: IDX.images(labels: labels), trainLabels: IDX.labels(labels))
        let out = folder.file("out")
        let run = try CLI.run(
            [
                "train", "--dataset", "mnist", "--wm_shape", "fourpixel", "--sigma", "0.12", "--N_m", "1",
                "--epochs", "1", "--workers", "1", "--data", idx.root, "--out", out,
            ], timeout: 600)
        try #require(run.exited(0), "\(run.summary)")
        let manifest = try Manifest(directory: out)
        // 150 train images: 60 zeros, 60 ones, 30 sevens → 120 in the 0-vs-1 task; 20 test images → 16.
        #expect(manifest.number("training.train_images") == 120, "\(manifest.value("training") ?? "no training")")
        #expect(manifest.number("training.test_images") == 16)
        #expect((manifest.value("training.poisoning.indices") as? [Any])?.count == 2, "floor(120 * 0.02) = 2 poisoned")
        #expect(manifest.value("training.poisoning.trigger") as? String == "fourpixel")
        // The synthetic ring and bar are trivially separable.
        #expect((manifest.number("accuracy.smoothed_clean_accuracy") ?? 0) >= 0.9, "\(manifest.value("accuracy") ?? "no accuracy")")
    }

    /// A plugin built for the test that works: the failing case differs only in its apply.
    @Test("a compiled plugin in its own --plugin-dir is used by train")
    func workingPlugin() throws {
        guard TestPlugin.compilerAvailable else { print(TestPlugin.compilerSkipReason); return }
        let folder = try TemporaryDirectory("train-plugin")
        let labels = IDX.labelList(150)
        let idx = try IDX.writeFolder(at: folder.file("data"), trainImages: IDX.images(labels: labels), trainLabels: IDX.labels(labels))
        let plugins = try TestPlugin.folder(in: folder, "plugins")
        try TestPlugin.build(TestPlugin.source(name: "corner"), into: plugins, fileName: "libcertssb-trigger-corner.so")
        let out = folder.file("out")
        let run = try CLI.run(
            [
                "train", "--dataset", "mnist", "--wm_shape", "corner", "--plugin-dir", plugins, "--N_m", "1",
                "--epochs", "1", "--workers", "1", "--data", idx.root, "--out", out,
            ], timeout: 600)
        try #require(run.exited(0), "\(run.summary)")
        #expect(try Manifest(directory: out).value("training.poisoning.trigger") as? String == "corner")
    }
}
