import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A running certssbd reads inbox files through the checked descriptor: a symlink, a FIFO
/// and a file over max_upload_bytes go to failed/ with their reason, the file beside them
/// is certified, and the symlink's target is never read. Needs only the shipped set.
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, "needs the built certssbd"))
struct DaemonInboxTests {
    @Test func symlinkFIFOAndOversizedFilesGoToFailedWithTheirReason() throws {
        let daemon = try RunningDaemon(extra: ["--max_upload_bytes", "4K"])
        defer { _ = daemon.stop() }
        let png = try SyntheticImages.digitPNGs(1, seed: 21)[0]
        let outside = daemon.folder.file("outside.png")
        try Data(png).write(to: URL(fileURLWithPath: outside))
        // Made beside the inbox and renamed in (IN_MOVED_TO), as a writer swapping names would;
        // ln -s and mkfifo in the inbox itself raise only IN_CREATE, seen by the next scan.
        #expect(symlink(outside, daemon.folder.file("link.png")) == 0)
        #expect(mkfifo(daemon.folder.file("pipe.png"), 0o640) == 0)
        #expect(rename(daemon.folder.file("link.png"), daemon.inbox + "/link.png") == 0)
        #expect(rename(daemon.folder.file("pipe.png"), daemon.inbox + "/pipe.png") == 0)
        try Data([UInt8](repeating: 0x89, count: 5000)).write(to: URL(fileURLWithPath: daemon.inbox + "/big.png"))
        try Data(png).write(to: URL(fileURLWithPath: daemon.inbox + "/good.png"))

        let errors = daemon.waitForFiles(in: daemon.failed, suffix: ".error.json", count: 3)
        #expect(Set(errors) == ["link.png.error.json", "pipe.png.error.json", "big.png.error.json"], "\(daemon.log)")
        #expect(daemon.waitForFiles(in: daemon.processed, suffix: ".verdict.json", count: 1) == ["good.png.verdict.json"])
        func reason(_ name: String) throws -> (code: String, error: String) {
            let record =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.failed + "/\(name).error.json")))
                as? [String: Any]
            return (record?["code"] as? String ?? "", record?["error"] as? String ?? "")
        }
        #expect(try reason("link.png").code == "symlink")
        #expect(try reason("pipe.png").code == "not_regular" && reason("pipe.png").error.contains("FIFO"))
        #expect(try reason("big.png").code == "too_large" && reason("big.png").error.contains("4096"))
        // The link moved as a link; its target is untouched and was never certified.
        var st = stat()
        #expect(lstat(daemon.failed + "/link.png", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
        #expect(FileManager.default.contents(atPath: outside) == Data(png))
        #expect(daemon.files(in: daemon.inbox).isEmpty)
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"))
    }
}
