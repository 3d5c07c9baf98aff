import CertTestSupport
import Foundation
import Testing

/// `certssb triggers`: exit 0 all loaded, 1 something refused, 2 nothing loaded.
@Suite("CLI: triggers lists the plugins and refuses unsafe ones", .blockingWork)
struct TriggersTests {
    static let standard = ["blending", "fourpixel", "onepixel"]

    /// The built plugin file of `name` beside the executable.
    private func builtPlugin(_ name: String) throws -> String {
        let folder = try #require(TrainPaths.builtPluginFolder, Paths.executableSkipReason)
        let path = (folder as NSString).appendingPathComponent("libcertssb-trigger-\(name).so")
        try #require(FileManager.default.isReadableFile(atPath: path), "no built plugin at \(path)")
        return path
    }

    private func json(_ run: RunResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(run.out.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(run.summary)")
    }

    private func names(_ object: [String: Any]) -> [String] {
        ((object["plugins"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }

    @Test("default folder: onepixel, fourpixel and blending load, exit 0")
    func listsBuiltPlugins() throws {
        let run = try CLI.run(["triggers"], timeout: 60)
        #expect(run.exited(0), "\(run.summary)")
        for name in Self.standard {
            #expect(run.stdoutLines.contains { $0.hasPrefix("\(name) ") }, "no '\(name) <version>' line: \(run.summary)")
        }
        #expect(!run.out.contains("refused"), "\(run.summary)")
    }

    @Test("--json parses and names the three plugins, each supporting 1x28x28; --plugin-dir of the build gives the same")
    func jsonOutput() throws {
        let run = try CLI.run(["triggers", "--json"], timeout: 60)
        #expect(run.exited(0), "\(run.summary)")
        let object = try json(run)
        #expect(Set(names(object)).isSuperset(of: Self.standard), "plugins \(names(object))")
        #expect((object["refusals"] as? [Any])?.isEmpty == true, "\(run.summary)")
        for plugin in (object["plugins"] as? [[String: Any]]) ?? [] where Self.standard.contains(plugin["name"] as? String ?? "") {
            #expect((plugin["standard_shapes"] as? [String])?.contains("1x28x28") == true, "\(plugin)")
            #expect(FileManager.default.fileExists(atPath: plugin["path"] as? String ?? ""), "\(plugin)")
        }

        let folder = try #require(TrainPaths.builtPluginFolder, Paths.executableSkipReason)
        let explicit = try CLI.run(["triggers", "--json", "--plugin-dir", folder, "--shape", "1x28x28"], timeout: 60)
        #expect(explicit.exited(0), "\(explicit.summary)")
        #expect(Set(names(try json(explicit))).isSuperset(of: Self.standard), "\(explicit.summary)")
    }

    @Test("--plugin-dir with a world-writable plugin file: exit 1, the file is named, the safe one still loads")
    func worldWritableFile() throws {
        let folder = try TemporaryDirectory("triggers-writable")
        let plugins = try TestPlugin.folder(in: folder, "plugins")
        let good = (plugins as NSString).appendingPathComponent("libcertssb-trigger-onepixel.so")
        let loose = (plugins as NSString).appendingPathComponent("libcertssb-trigger-fourpixel.so")
        try FileManager.default.copyItem(atPath: try builtPlugin("onepixel"), toPath: good)
        try FileManager.default.copyItem(atPath: try builtPlugin("fourpixel"), toPath: loose)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: good)
        try FileManager.default.setAttributes([.posixPermissions: 0o757], ofItemAtPath: loose)

        let text = try CLI.run(["triggers", "--plugin-dir", plugins], timeout: 60)
        #expect(text.exited(1), "\(text.summary)")
        let refusedLines = text.stdoutLines.drop { !$0.hasPrefix("refused") }
        #expect(refusedLines.contains { $0.contains(loose) }, "the refused file is not named: \(text.summary)")
        #expect(text.stdoutLines.contains { $0.hasPrefix("onepixel ") }, "the safe plugin did not load: \(text.summary)")
        #expect(!text.stdoutLines.contains { $0.hasPrefix("fourpixel ") }, "the world-writable plugin loaded: \(text.summary)")

        let run = try CLI.run(["triggers", "--json", "--plugin-dir", plugins], timeout: 60)
        #expect(run.exited(1), "\(run.summary)")
        let object = try json(run)
        #expect(names(object) == ["onepixel"], "\(run.summary)")
        let refusals = (object["refusals"] as? [[String: Any]]) ?? []
        try #require(refusals.count == 1, "\(run.summary)")
        #expect(refusals[0]["path"] as? String == loose, "\(refusals)")
        let reason = (refusals[0]["reason"] as? String ?? "").lowercased()
        #expect(reason.contains("writable") || reason.contains("permission") || reason.contains("mode"), "reason: \(reason)")

        // train must not use the refused plugin either.
        if TrainPaths.csvAvailable {
            let train = try CLI.run(
                [
                    "train", "--wm_shape", "fourpixel", "--plugin-dir", plugins, "--N_m", "1", "--epochs", "1",
                    "--data", Paths.mnistCSV.path, "--out", folder.file("out"),
                ], timeout: 120)
            #expect(train.exited(2) && train.stderrLines.count == 1 && train.err.contains("fourpixel"), "\(train.summary)")
        }
    }

    @Test("--plugin-dir writable by others: nothing loads, exit 2")
    func worldWritableFolder() throws {
        let folder = try TemporaryDirectory("triggers-loose-folder")
        let plugins = try TestPlugin.folder(in: folder, "plugins")
        try FileManager.default.copyItem(
            atPath: try builtPlugin("onepixel"),
            toPath: (plugins as NSString).appendingPathComponent("libcertssb-trigger-onepixel.so"))
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: plugins)
        let run = try CLI.run(["triggers", "--json", "--plugin-dir", plugins], timeout: 60)
        #expect(run.exited(2), "\(run.summary)")
        #expect(names((try? json(run)) ?? [:]).isEmpty, "\(run.summary)")
    }

    @Test("an empty --plugin-dir: exit 2, no plugin loaded")
    func emptyFolder() throws {
        let folder = try TemporaryDirectory("triggers-empty")
        let plugins = try TestPlugin.folder(in: folder, "plugins")
        let text = try CLI.run(["triggers", "--plugin-dir", plugins], timeout: 60)
        #expect(text.exited(2), "\(text.summary)")
        #expect(text.out.contains("no plugin loaded"), "\(text.summary)")
        let run = try CLI.run(["triggers", "--json", "--plugin-dir", plugins], timeout: 60)
        #expect(run.exited(2), "\(run.summary)")
        let object = try json(run)
        #expect(names(object).isEmpty && (object["refusals"] as? [Any])?.isEmpty == true, "\(run.summary)")
    }

    @Test("--plugin-dir that does not exist: exit 2, not a crash")
    func missingFolder() throws {
        let folder = try TemporaryDirectory("triggers-missing")
        let run = try CLI.run(["triggers", "--plugin-dir", folder.file("nope")], timeout: 60)
        #expect(run.exited(2), "\(run.summary)")
    }
}
