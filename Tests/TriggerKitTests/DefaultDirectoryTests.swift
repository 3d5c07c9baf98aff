import CertTestSupport
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
        let temporary = try TemporaryDirectory("bin")
        defer { temporary.remove() }
        let folder = temporary.path
        try CPlugin.build(into: folder)
        let registry = TriggerRegistry.loadDefault(executablePath: "\(folder)/certssb")
        #expect(registry.directory == folder)
        #expect(registry["testplugin"] != nil)
    }

    @Test func aFolderWithoutPluginFilesIsSkipped() throws {
        let temporaryEmpty = try TemporaryDirectory("empty")
        defer { temporaryEmpty.remove() }
        let empty = temporaryEmpty.path
        #expect(TriggerRegistry.loadDefault(executablePath: "\(empty)/certssb").directory != empty)
    }
}
