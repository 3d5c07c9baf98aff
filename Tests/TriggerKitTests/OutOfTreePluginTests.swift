import CertShape
import CertTestSupport
import Foundation
import Testing
import TriggerKit

/// The checkerboard example of Plugins/README.md, compiled as a user would and loaded.
@Suite struct OutOfTreePluginTests {
    /// The first ```c block that defines certssb_trigger_entry.
    static func checkerSource() throws -> String {
        let doc = try String(contentsOfFile: "\(TestPaths.packageRoot)/Plugins/README.md", encoding: .utf8)
        let blocks = doc.components(separatedBy: "```c\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        return try #require(blocks.first { $0.contains("certssb_trigger_entry(void) {") })
    }

    @Test func checkerboardFromTheDocsLoadsAndApplies() throws {
        let temporary = try TemporaryDirectory("checker")
        defer { temporary.remove() }
        let folder = temporary.path
        try CPlugin.build(try Self.checkerSource(), into: folder, fileName: "libcertssb-trigger-checker.so")
        let registry = TriggerRegistry.load(directory: folder, shape: ImageShape(channels: 3, height: 32, width: 32))
        #expect(registry.refusals.isEmpty, "\(registry.refusals)")
        let checker = try #require(registry["checker"])
        #expect(checker.version == "1.0.0")
        var image = [Float](repeating: 0, count: 3 * 32 * 32)
        try checker.apply(to: &image, shape: ImageShape(channels: 3, height: 32, width: 32), delta: 1)
        let changed = image.indices.filter { image[$0] != 0 }
        let corner = [(29, 29), (29, 31), (30, 30), (31, 29), (31, 31)]
        #expect(changed == (0..<3).flatMap { c in corner.map { (c * 32 + $0.0) * 32 + $0.1 } })
        #expect(
            abs(
                try checker.l2Norm(of: [Float](repeating: 0, count: 3072), shape: ImageShape(channels: 3, height: 32, width: 32), delta: 1)
                    - 1) < 1e-6)
    }
}
