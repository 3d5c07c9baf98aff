import CertShape
import CertTestSupport
import Foundation
import Testing
import TriggerKit

/// Each way a plugin is refused, with a C plugin built for it. The registry must record the
/// path and a reason, and go on loading the rest.
@Suite struct RefusalTests {
    /// Builds one plugin with `defines` beside a good one, loads the folder and returns the refusal.
    func loadWithBad(defines: [String], shape: ImageShape? = nil) throws -> (PluginRefusal?, TriggerRegistry, String) {
        let temporary = try TemporaryDirectory("plugins")
        // Loaded libraries stay mapped, so the folder can go as soon as this returns.
        defer { temporary.remove() }
        let folder = temporary.path
        try CPlugin.build(defines: ["NAME=\"good\""], into: folder, fileName: "libcertssb-trigger-a-good.so")
        let bad = try CPlugin.build(defines: defines, into: folder, fileName: "libcertssb-trigger-b-bad.so")
        let registry = TriggerRegistry.load(directory: folder, shape: shape)
        return (registry.refusals.first { $0.path == bad }, registry, bad)
    }

    @Test func wrongABIVersion() throws {
        let (refusal, registry, _) = try loadWithBad(defines: ["ABI=2"])
        #expect(refusal?.reason == "ABI version 2, this build speaks 1")
        #expect(registry.plugins.map(\.name) == ["good"], "the good plugin still loads")
    }

    @Test func missingEntrySymbol() throws {
        let (refusal, _, bad) = try loadWithBad(defines: ["ENTRY=certssb_trigger_entry_misspelt"])
        #expect(refusal?.reason.contains("certssb_trigger_entry") == true)
        #expect(refusal?.description.hasPrefix(bad + ": ") == true)
    }

    @Test func entryReturnsNULL() throws {
        let (refusal, _, _) = try loadWithBad(defines: ["RETURN_NULL"])
        #expect(refusal?.reason.contains("returned NULL") == true)
    }

    @Test(arguments: ["NULL", "\"Bad Name\"", "\"\"", "\"a-name-that-is-far-too-long-for-the-registry\""])
    func badOrMissingName(name: String) throws {
        let (refusal, _, _) = try loadWithBad(defines: ["NAME=\(name)"])
        #expect(refusal?.reason.contains("name") == true, "\(String(describing: refusal))")
    }

    @Test func nullFunctionPointer() throws {
        let (refusal, _, _) = try loadWithBad(defines: ["NULL_APPLY"])
        #expect(refusal?.reason.contains("NULL function pointer(s): apply") == true)
    }

    @Test func duplicateNameKeepsTheFirstFile() throws {
        let (refusal, registry, _) = try loadWithBad(defines: ["NAME=\"good\""])
        let first = try #require(registry["good"]).path
        #expect(first.hasSuffix("libcertssb-trigger-a-good.so"))
        #expect(refusal?.reason == "duplicate name 'good', already loaded from \(first)")
    }

    @Test func unsupportedShape() throws {
        let (refusal, registry, _) = try loadWithBad(defines: ["ONLY_MNIST"], shape: ImageShape(channels: 3, height: 32, width: 32))
        #expect(refusal?.reason.contains("does not support shape 3x32x32") == true)
        #expect(registry.plugins.map(\.name) == ["good"])
        // Without a shape it loads, and says which shapes it takes.
        let (_, loaded, _) = try loadWithBad(defines: ["ONLY_MNIST"])
        #expect(loaded["testplugin"]?.supports(shape: ImageShape(channels: 1, height: 28, width: 28)) == true)
        #expect(loaded["testplugin"]?.supports(shape: ImageShape(channels: 3, height: 32, width: 32)) == false)
    }

    @Test func worldWritableFileIsRefusedBeforeLoading() throws {
        let temporary = try TemporaryDirectory("plugins")
        defer { temporary.remove() }
        let folder = temporary.path
        let path = try CPlugin.build(into: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: path)
        let registry = TriggerRegistry.load(directory: folder)
        #expect(registry.plugins.isEmpty)
        #expect(registry.refusals.first?.path == path)
        #expect(registry.refusals.first?.reason.contains("file is writable by group or others (mode 0666)") == true)
    }

    @Test(arguments: [0o775, 0o757, 0o777])
    func groupOrWorldWritableFolderIsRefused(mode: Int) throws {
        let temporary = try TemporaryDirectory("plugins")
        defer { temporary.remove() }
        let folder = temporary.path
        let path = try CPlugin.build(into: folder)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: folder)
        let registry = TriggerRegistry.load(directory: folder)
        #expect(registry.plugins.isEmpty)
        #expect(registry.refusals.first?.path == path)
        #expect(registry.refusals.first?.reason.contains("folder \(folder) is writable by group or others") == true)
    }

    @Test func nonELFFileGivesTheDlopenError() throws {
        let temporary = try TemporaryDirectory("plugins")
        defer { temporary.remove() }
        let folder = temporary.path
        let path = (folder as NSString).appendingPathComponent("libcertssb-trigger-bad.so")
        try "not a shared library\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let registry = TriggerRegistry.load(directory: folder)
        let refusal = try #require(registry.refusals.first)
        #expect(refusal.path == path)
        #expect(refusal.reason.hasPrefix("dlopen failed: "))
        #expect(refusal.reason.contains(path) || refusal.reason.contains("ELF") || refusal.reason.contains("too short"))
    }

    @Test func applyErrorIsThrownWithThePluginsMessage() throws {
        let temporary = try TemporaryDirectory("plugins")
        defer { temporary.remove() }
        let folder = temporary.path
        try CPlugin.build(defines: ["FAIL", "NAME=\"failing\""], into: folder)
        let plugin = try #require(TriggerRegistry.load(directory: folder)["failing"])
        var image = [Float](repeating: 0, count: 784)
        let error = #expect(throws: TriggerError.self) {
            try plugin.apply(to: &image, shape: ImageShape(channels: 1, height: 28, width: 28), delta: 1)
        }
        #expect(error?.plugin == "failing")
        #expect(error?.message == "image too dark for this trigger")
        #expect(error?.code == 7)
        #expect(error?.description.contains("'failing'") == true)
    }

    @Test func filesWithOtherNamesAreIgnoredAndAMissingFolderIsOneRefusal() throws {
        let temporary = try TemporaryDirectory("plugins")
        defer { temporary.remove() }
        let folder = temporary.path
        try CPlugin.build(into: folder, fileName: "libsomething-else.so")
        try CPlugin.build(into: folder, fileName: "certssb-trigger-plain.so")
        let registry = TriggerRegistry.load(directory: folder)
        #expect(registry.plugins.map(\.path) == [(folder as NSString).appendingPathComponent("certssb-trigger-plain.so")])
        #expect(registry.refusals.isEmpty)
        let missing = TriggerRegistry.load(directory: folder + "/nowhere")
        #expect(missing.plugins.isEmpty && missing.refusals.count == 1)
    }
}
