import CertTestSupport
import Foundation
import Testing
import TriggerKit

#if canImport(Glibc)
    import Glibc
#endif

/// Plugins load only from files and folders owned by root or this process's user: another
/// user who owns one could replace it with code that runs inside certssbd.
@Suite struct OwnershipRefusalTests {
    static let skipReason: String? = getuid() == 0 ? nil : "skipped: giving a file to another user needs root"

    @Test(.enabled(if: skipReason == nil, Comment(rawValue: skipReason ?? "")), arguments: ["file", "folder"])
    func aPluginOwnedByAnotherUserIsRefused(_ what: String) throws {
        let temporary = try TemporaryDirectory("plugins")
        defer { temporary.remove() }
        let folder = temporary.path
        let path = try CPlugin.build(into: folder)
        #expect(TriggerRegistry.load(directory: folder).plugins.count == 1, "owned by root: loads")
        let target = what == "file" ? path : folder
        #expect(chown(target, 65534, 65534) == 0)
        let registry = TriggerRegistry.load(directory: folder)
        #expect(registry.plugins.isEmpty)
        #expect(
            registry.refusals.first?.reason.contains("owned by uid 65534, neither root nor this process's user") == true,
            "\(registry.refusals)")
    }
}
