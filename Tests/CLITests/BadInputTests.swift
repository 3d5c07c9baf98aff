import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

/// Writes small files the decoders must refuse.
enum BadFiles {
    /// A `.npy` v1.0 file: magic, version, little-endian header length, the header dict
    /// padded with spaces so that the whole preamble (incl. the trailing \n) is a multiple of 64.
    static func npy(shape: [Int], values: [Float]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let preamble = 10  // magic (6) + version (2) + length (2)
        while (preamble + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// A binary PPM (P6), 8-bit RGB.
    static func ppm(width: Int, height: Int) -> Data {
        var data = Data("P6\n\(width) \(height)\n255\n".utf8)
        data.append(contentsOf: (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        return data
    }

    /// A real RGB PNG of 3x32x32, written with CertData's encoder.
    static func rgbPNG() throws -> Data {
        let pixels = (0..<(3 * 32 * 32)).map { Float($0 % 256) / 255 }
        return Data(try PNGEncoder.encode(DecodedImage(shape: ImageShape(channels: 3, height: 32, width: 32), pixels: pixels)))
    }
}

/// One bad input and what the one stderr line must say about it.
enum BadInput: String, CaseIterable, CustomTestStringConvertible {
    case emptyFile, truncatedPNG, jpegHeaderThenGarbage, rgbPPM32, rgbNPY32, rgbPNG32, nanInNPY
    case directory, nonexistentFile, missingModelSet, corruptSafetensors, corruptSafetensorsNoVerify

    var testDescription: String { rawValue }

    struct Scenario {
        var arguments: [String]
        /// The path the stderr line must name.
        var subject: String
        /// At least one of these (case-insensitive) must appear in the reason.
        var keywords: [String]
        /// Whether the file itself is bad (so stdout carries an error line for it).
        var fileError: Bool
    }

    func scenario(in folder: TemporaryDirectory, modelSet: String, goodPNG: String) throws -> Scenario {
        func write(_ name: String, _ data: Data) throws -> String {
            let path = folder.file(name)
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        func certify(_ file: String, set: String = modelSet, extra: [String] = []) -> [String] {
            ["certify", "--model-set", set] + extra + [file]
        }
        let shapeWords = ["3x32x32", "shape", "expect"]
        switch self {
        case .emptyFile:
            let f = try write("empty.png", Data())
            return Scenario(arguments: certify(f), subject: f, keywords: ["empty"], fileError: true)
        case .truncatedPNG:
            let good = try Data(contentsOf: URL(fileURLWithPath: goodPNG))
            let f = try write("truncated.png", good.prefix(good.count / 2))
            return Scenario(arguments: certify(f), subject: f, keywords: ["truncat", "corrupt", "end of"], fileError: true)
        case .jpegHeaderThenGarbage:
            var data = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0])
            data.append(contentsOf: (0..<400).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
            let f = try write("garbage.jpg", data)
            return Scenario(
                arguments: certify(f), subject: f,
                keywords: ["jpeg", "jpg", "corrupt", "invalid", "truncat", "decode"], fileError: true)
        case .rgbPPM32:
            let f = try write("rgb32.ppm", BadFiles.ppm(width: 32, height: 32))
            return Scenario(arguments: certify(f), subject: f, keywords: shapeWords, fileError: true)
        case .rgbNPY32:
            let f = try write("rgb32.npy", BadFiles.npy(shape: [3, 32, 32], values: Array(repeating: 0.5, count: 3 * 32 * 32)))
            return Scenario(arguments: certify(f), subject: f, keywords: shapeWords, fileError: true)
        case .rgbPNG32:
            let f = try write("rgb32.png", BadFiles.rgbPNG())
            return Scenario(arguments: certify(f), subject: f, keywords: shapeWords, fileError: true)
        case .nanInNPY:
            var values = Array(repeating: Float(0.25), count: 28 * 28)
            values[3 * 28 + 4] = .nan
            let f = try write("nan.npy", BadFiles.npy(shape: [1, 28, 28], values: values))
            return Scenario(arguments: certify(f), subject: f, keywords: ["nan", "finite"], fileError: true)
        case .directory:
            let f = folder.file("a-folder.png")
            try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
            return Scenario(arguments: certify(f), subject: f, keywords: ["directory", "folder", "not a file"], fileError: true)
        case .nonexistentFile:
            let f = folder.file("no-such-file.png")
            return Scenario(
                arguments: certify(f), subject: f, keywords: ["no such", "not found", "does not exist", "missing"], fileError: true)
        case .missingModelSet:
            let set = folder.file("no-such-model-set")
            return Scenario(
                arguments: certify(goodPNG, set: set), subject: set,
                keywords: ["no such", "not found", "does not exist", "missing"], fileError: false)
        case .corruptSafetensors, .corruptSafetensorsNoVerify:
            let set = folder.file("corrupt-set")
            try FileManager.default.copyItem(atPath: modelSet, toPath: set)
            let weights = (set as NSString).appendingPathComponent("model_0001.safetensors")
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: weights))
            try handle.seek(toOffset: 8)
            try handle.write(contentsOf: Data("#GARBAGE!{[\u{1}".utf8.prefix(12)))
            try handle.close()
            let extra = self == .corruptSafetensorsNoVerify ? ["--no-verify-checksums"] : []
            return Scenario(
                arguments: certify(goodPNG, set: set, extra: extra), subject: "model_0001.safetensors",
                keywords: ["safetensors", "header", "checksum", "sha256", "corrupt"], fileError: false)
        }
    }
}

@Suite("CLI: bad inputs exit 2 with one line on stderr, never a crash", .blockingWork)
struct BadInputTests {
    @Test("each bad input: exit 2, one stderr line naming it and the problem", arguments: BadInput.allCases)
    func badInput(_ input: BadInput) throws {
        let modelSet = try RandomSetFixture.get()
        let goodPNG = try RandomSetFixture.goodPNG.get()
        let folder = try TemporaryDirectory("bad-\(input.rawValue)")
        let scenario = try input.scenario(in: folder, modelSet: modelSet, goodPNG: goodPNG)
        let run = try CLI.run(scenario.arguments, timeout: 120)

        #expect(run.reason == .exit && !run.timedOut, "ended by a signal or timed out: \(run.summary)")
        #expect(run.exited(2), "\(run.summary)")
        try #require(run.stderrLines.count == 1, "expected exactly one stderr line: \(run.summary)")
        let line = run.stderrLines[0]
        #expect(line.hasPrefix("certssb: "), "\(run.summary)")
        #expect(line.contains(scenario.subject), "stderr line does not name \(scenario.subject): \(line)")
        // Look for the keywords in the reason only: the path itself may contain "jpg" or "png".
        let reason = line.replacingOccurrences(of: scenario.subject, with: "").lowercased()
        #expect(scenario.keywords.contains { reason.contains($0) }, "stderr line does not say the problem (\(scenario.keywords)): \(line)")
        #expect(run.err.hasSuffix("\n"))
        if scenario.fileError {
            // The reason follows "certssb: <file>: ".
            #expect(line.count > "certssb: \(scenario.subject): ".count, "\(line)")
            // stdout: one JSON error line for the file and no verdict.
            try #require(run.stdoutLines.count == 1, "\(run.summary)")
            let errorLine = try JSONDecoder().decode(ErrorLine.self, from: Data(run.stdoutLines[0].utf8))
            #expect(errorLine.source == scenario.subject)
            #expect(!errorLine.error.isEmpty && line.hasSuffix(errorLine.error), "stdout error \(errorLine.error) vs stderr \(line)")
        } else {
            #expect(!run.out.contains("\"certified\""), "a verdict was printed despite the error: \(run.summary)")
        }
    }

    @Test(
        "a mixed run: good files keep their verdicts, in order; the bad one gets an error line; exit 2",
        arguments: [1, 2, 64])
    func mixedRun(batchSize: Int) throws {
        let modelSet = try RandomSetFixture.get()
        let goodPNG = try RandomSetFixture.goodPNG.get()
        let folder = try TemporaryDirectory("mixed")
        let bad = folder.file("empty.png")
        try Data().write(to: URL(fileURLWithPath: bad))
        let second = folder.file("second.png")
        try FileManager.default.copyItem(atPath: goodPNG, toPath: second)

        let run = try CLI.run(["certify", "--model-set", modelSet, "--batch-size", "\(batchSize)", goodPNG, bad, second], timeout: 120)
        #expect(run.exited(2), "\(run.summary)")
        #expect(run.stderrLines.count == 1 && run.stderrLines.first?.contains(bad) == true, "\(run.summary)")
        try #require(run.stdoutLines.count == 3, "\(run.summary)")
        let first = try VerdictLine.decode(run.stdoutLines[0])
        let error = try JSONDecoder().decode(ErrorLine.self, from: Data(run.stdoutLines[1].utf8))
        let third = try VerdictLine.decode(run.stdoutLines[2])
        #expect(first.source == goodPNG && error.source == bad && third.source == second)
        let hashes = try CLI.sha256sum([goodPNG])
        expectCoherent(first, sha256: hashes[goodPNG], nModels: 2)
        expectCoherent(third, sha256: hashes[goodPNG], nModels: 2)
    }

    @Test("logits with a good and a bad file: the good line is printed, exit 2")
    func mixedLogits() throws {
        let modelSet = try RandomSetFixture.get()
        let goodPNG = try RandomSetFixture.goodPNG.get()
        let folder = try TemporaryDirectory("mixed-logits")
        let bad = folder.file("nan.npy")
        var values = Array(repeating: Float(0), count: 28 * 28)
        values[0] = .nan
        try BadFiles.npy(shape: [1, 28, 28], values: values).write(to: URL(fileURLWithPath: bad))
        let run = try CLI.run(["logits", "--model-set", modelSet, bad, goodPNG], timeout: 120)
        #expect(run.exited(2), "\(run.summary)")
        #expect(run.stderrLines.count == 1 && run.stderrLines.first?.contains(bad) == true, "\(run.summary)")
        try #require(run.stdoutLines.count == 2, "\(run.summary)")
        let good = try #require(try JSONSerialization.jsonObject(with: Data(run.stdoutLines[1].utf8)) as? [String: Any])
        #expect(good["source"] as? String == goodPNG)
        #expect((good["logits"] as? [Double])?.count == 3)
    }

    @Test("a valid float32 .npy of 1x28x28 is accepted, so the NaN case fails for the NaN alone")
    func validNPY() throws {
        let modelSet = try RandomSetFixture.get()
        let folder = try TemporaryDirectory("npy-ok")
        let f = folder.file("ok.npy")
        try BadFiles.npy(shape: [1, 28, 28], values: (0..<784).map { Float($0) / 784 }).write(to: URL(fileURLWithPath: f))
        let run = try CLI.run(["certify", "--model-set", modelSet, f], timeout: 120)
        #expect(run.exited(0) || run.exited(1), "\(run.summary)")
        #expect(run.verdicts().count == 1)
    }
}
