import Foundation
import Testing
import TriggerKit

@Suite struct DefaultDirectoryTests {
    @Test func theExecutablesFolderComesFirstAndTheSystemFoldersLast() {
        let folders = TriggerRegistry.defaultDirectories(executablePath: "/opt/certssb/bin/certssb")
        #expect(folders.first == "/opt/certssb/bin")
        #expect(Array(folders.suffix(2)) == ["/usr/local/lib/certssb/plugins", "/usr/lib/certssb/plugins"])
    }

    @Test func loadDefaultTakesTheExecutablesFolderWhenItHasPlugins() throws {
        let folder = try CPlugin.makeFolder("bin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try CPlugin.build(into: folder)
        let registry = TriggerRegistry.loadDefault(executablePath: "\(folder)/certssb")
        #expect(registry.directory == folder)
        #expect(registry["testplugin"] != nil)
    }

    @Test func aFolderWithoutPluginFilesIsSkipped() throws {
        let empty = try CPlugin.makeFolder("empty")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(TriggerRegistry.loadDefault(executablePath: "\(empty)/certssb").directory != empty)
    }
}
