import CertCore
import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A full disk under the store: certssbd answers 503 with the reason, keeps serving, keeps
/// dropped files in the inbox, and certifies them once there is room again. The store is a
/// 4 MB tmpfs mounted in a private mount namespace of the daemon (unshare; root only), filled
/// from the test through /proc/PID/root.
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, Paths.executableSkipReason))
struct DaemonFullDiskTests {
    static let unshare = "/usr/bin/unshare"
    static let available = getuid() == 0 && FileManager.default.isExecutableFile(atPath: unshare)

    @Test(.enabled(if: available, "skipped: needs root and unshare(1) for a private tmpfs"))
    func aFullStoreIsA503AndTheInboxWaits() throws {
        let folder = try TemporaryDirectory("fulldisk")
        let state = folder.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let daemon = try RunningDaemon(
            reusing: folder,
            launcher: [
                Self.unshare, "--mount", "--propagation", "private", "/bin/sh", "-c",
                "mount -t tmpfs -o size=4m certssb-test \(state) && exec \"$0\" \"$@\"",
            ])
        defer { _ = daemon.stop() }
        let pngs = try DaemonTests.digits(3, offset: 30)
        #expect(try daemon.certify(pngs[0]).code == 200, "\(daemon.log)")

        // Fill the daemon's tmpfs (visible only in its mount namespace) to the last byte.
        let filler = "/proc/\(daemon.process.pid)/root\(state)/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0, "open \(filler): \(String(cString: strerror(errno)))")
        let block = [UInt8](repeating: 0xA5, count: 65536)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)

        let refused = try daemon.certify(pngs[1])
        #expect(refused.code == 503 && refused.body.contains("No space left on device"), "\(refused)")
        try Data(pngs[2]).write(to: URL(fileURLWithPath: daemon.inbox + "/waiting.png"))
        #expect(daemon.waitForLog("waiting.png: could not commit"), "\(daemon.log)")
        #expect(daemon.files(in: daemon.inbox) == ["waiting.png"], "kept in the inbox")
        #expect(daemon.files(in: daemon.failed).isEmpty)
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"))

        // Room again: the retry certifies the waiting file, and uploads work.
        unlink(filler)
        #expect(
            daemon.waitForFiles(in: daemon.processed, suffix: ".verdict.json", count: 1) == ["waiting.png.verdict.json"],
            "\(daemon.log)")
        #expect(try daemon.certify(pngs[1]).code == 200)
        let items = try daemon.json("/v1/verdicts?limit=10")?["items"] as? [[String: Any]] ?? []
        #expect(items.compactMap { $0["sha256"] as? String } == [pngs[0], pngs[2], pngs[1]].map { Checksum.sha256Hex($0) })
        #expect(daemon.stop() == 0, "\(daemon.log)")
    }
}
