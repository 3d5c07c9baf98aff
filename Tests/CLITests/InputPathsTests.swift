import CertCore
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

/// `certify` and `submit` take what clamdscan takes: directories (recursively, sorted, hidden
/// entries skipped) and `-` for standard input; `submit` names each line's file.
@Suite struct InputPathsTests {
    static func png(_ seed: Int) throws -> [UInt8] {
        try PNGEncoder.encode(
            DecodedImage(
                shape: ImageShape(channels: 1, height: 28, width: 28),
                pixels: (0..<784).map { Float(($0 * (seed + 5) + seed) % 256) / 255 }))
    }

    /// tree/b.png, tree/a/z.png, tree/a/y.png, tree/.hidden.png: three inputs, in path order.
    static func tree(in folder: TemporaryDirectory) throws -> (root: String, expected: [String]) {
        let root = folder.file("tree")
        try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
        for (i, name) in ["b.png", "a/z.png", "a/y.png", ".hidden.png"].enumerated() {
            try Data(try png(i)).write(to: URL(fileURLWithPath: root + "/" + name))
        }
        return (root, ["a/y.png", "a/z.png", "b.png"].map { root + "/" + $0 })
    }

    @Test func certifyTakesDirectoriesAndStandardInput() throws {
        let folder = try TemporaryDirectory("inputs")
        let (root, expected) = try Self.tree(in: folder)
        let set = try RandomSetFixture.get()
        let run = try CLI.run(["certify", "--model-set", set, "--no-triggers", root])
        let sources = run.jsonLines.compactMap { $0?["source"] as? String }
        #expect(sources == expected, "\(run.summary)")

        let stdin = try CLI.run(
            program: "/bin/sh",
            [
                "-c", "exec \"$0\" certify --model-set \"$1\" --no-triggers - < \"$2\"",
                Paths.executable!, set, expected[0],
            ])
        let line = try #require(stdin.jsonLines.first ?? nil, "\(stdin.summary)")
        #expect(line["source"] as? String == "-")
        #expect(line["sha256"] as? String == Checksum.sha256Hex(Array(try Data(contentsOf: URL(fileURLWithPath: expected[0])))))

        let empty = folder.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let none = try CLI.run(["certify", "--model-set", set, "--no-triggers", empty])
        #expect(none.exited(2) && none.err.contains("no files"), "\(none.summary)")
    }

    @Test func submitNamesEachFileInInputOrder() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        let (root, expected) = try Self.tree(in: daemon.folder)
        let missing = daemon.folder.file("missing.png")
        // A failed file in the middle: its error line sits in its place, the rest go on.
        let run = try CLI.run(["submit", "--socket", daemon.socket, root, missing, expected[0]])
        let lines = run.jsonLines.compactMap { $0 }
        #expect(lines.compactMap { $0["file"] as? String } == expected + [missing, expected[0]], "\(run.summary)")
        #expect(lines.prefix(3).allSatisfy { $0["sha256"] != nil && $0["source"] as? String == "socket" })
        #expect(lines.count == 5 && lines[3]["error"] != nil && lines[3]["sha256"] == nil && lines[4]["sha256"] != nil)
        #expect(run.exited(2))

        let stdin = try CLI.run(
            program: "/bin/sh",
            [
                "-c", "exec \"$0\" submit --socket \"$1\" - < \"$2\"",
                Paths.executable!, daemon.socket, expected[1],
            ])
        #expect(stdin.jsonLines.first??["file"] as? String == "-", "\(stdin.summary)")
    }
}
