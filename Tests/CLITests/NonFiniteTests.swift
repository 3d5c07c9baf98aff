import CertCore
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

/// NaN and infinities never abort anything: non-finite pixels are a 422 (exit 2 in the
/// CLI), a model or trigger plugin that produces them is a 500 for that input, a
/// watch-folder file goes to failed/ with the reason, and the daemon keeps serving.
/// Needs only what the repository ships (the shipped model set) and a C compiler.
@Suite(
    .serialized, .blockingWork,
    .enabled(if: Paths.executable != nil && TestPlugin.compilerAvailable, "needs the built certssb and /usr/bin/cc"))
struct NonFiniteTests {
    /// A plugin that sets the first pixel to NaN.
    static let nanPluginBody = "x[0] = __builtin_nanf(\"\");\n    return 0;"

    static func nanPlugin(in folder: TemporaryDirectory) throws -> String {
        let plugins = try TestPlugin.folder(in: folder, "plugins")
        try TestPlugin.build(
            TestPlugin.source(name: "nanpixel", body: nanPluginBody), into: plugins, fileName: "libcertssb-trigger-nanpixel.so")
        return plugins
    }

    /// A 6-model random set whose output bias is NaN in every model.
    static func nanModelSet(in folder: TemporaryDirectory) throws -> String {
        let dir = folder.file("nan-models")
        try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: 6)
        var manifest = try ModelSet.load(directory: dir).manifest
        let tensors = (0..<6).map { m in
            RandomModelSet.tensors(for: .mnistCNN, seed: 1 &+ UInt32(m)).map { t in
                (t.name, t.shape, t.name == "output.bias" ? [Float.nan] : t.values)
            }
        }
        manifest = try ModelSet.write(directory: dir, manifest: manifest, tensors: tensors)
        try manifest.encoded().write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        return dir
    }

    @Test func certifyReportsANaNPluginPerFileAndExits2() throws {
        let folder = try TemporaryDirectory("nan-plugin")
        let plugins = try Self.nanPlugin(in: folder)
        let files = try SyntheticImages.digitPNGs(2, seed: 11).enumerated().map { i, png in
            let path = folder.file("d\(i).png")
            try Data(png).write(to: URL(fileURLWithPath: path))
            return path
        }
        let run = try CLI.run(["certify", "--model-set", RunningDaemon.shippedModelSet, "--plugin-dir", plugins, "--workers", "2"] + files)
        #expect(run.exited(2), "\(run.summary)")
        let lines = run.jsonLines
        #expect(lines.count == 2)
        for (line, file) in zip(lines, files) {
            #expect(line?["source"] as? String == file)
            #expect(
                (line?["error"] as? String)?.contains("trigger plugin 'nanpixel' produced NaN or infinite values") == true, "\(run.summary)"
            )
        }
        // The same files without trigger reports are certified as usual.
        let plain = try CLI.run(["certify", "--model-set", RunningDaemon.shippedModelSet, "--no-triggers", "--workers", "2"] + files)
        #expect(plain.status != 2 && plain.jsonLines.allSatisfy { $0?["radius"] != nil }, "\(plain.summary)")
    }

    @Test func certifyReportsANaNModelAndExits2() throws {
        let folder = try TemporaryDirectory("nan-model")
        let set = try Self.nanModelSet(in: folder)
        let path = folder.file("d.png")
        try Data(try SyntheticImages.digitPNGs(1, seed: 11)[0]).write(to: URL(fileURLWithPath: path))
        let run = try CLI.run(["certify", "--model-set", set, "--no-triggers", "--workers", "1", path])
        #expect(run.exited(2), "\(run.summary)")
        #expect(
            (run.jsonLines.first??["error"] as? String)?.contains("a certifying model produced NaN or infinite values") == true,
            "\(run.summary)")
    }

    @Test func daemonAnswers500ForANaNPluginAndKeepsServing() throws {
        let folder = try TemporaryDirectory("nan-daemon")
        let plugins = try Self.nanPlugin(in: folder)
        let daemon = try RunningDaemon(extra: ["--plugin_dir", plugins])
        defer { _ = daemon.stop() }
        let pngs = try SyntheticImages.digitPNGs(3, seed: 12)
        let upload = try daemon.certify(pngs[0])
        #expect(upload.code == 500, "\(upload.body)\n\(daemon.log)")
        let error = ((try? JSONSerialization.jsonObject(with: Data(upload.body.utf8))) as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "non_finite_output", "\(upload.body)")
        #expect((error?["message"] as? String)?.contains("nanpixel") == true)
        // Nothing was stored for it, and the daemon still answers.
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"))
        // A dropped file goes to failed/ with the reason, byte for byte.
        try Data(pngs[1]).write(to: URL(fileURLWithPath: daemon.inbox + "/nan.png"))
        #expect(daemon.waitForFiles(in: daemon.failed, suffix: ".error.json", count: 1) == ["nan.png.error.json"], "\(daemon.log)")
        #expect(FileManager.default.contents(atPath: daemon.failed + "/nan.png") == Data(pngs[1]))
        let record =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.failed + "/nan.png.error.json")))
            as? [String: Any]
        #expect((record?["error"] as? String)?.contains("NaN") == true, "\(String(describing: record))")
        #expect(daemon.process.isRunning)
    }
}
