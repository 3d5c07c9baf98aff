import CertDaemon
import Foundation
import Glibc
import Testing

/// Inbox files are read through the one descriptor that was checked: O_NOFOLLOW, fstat as
/// a regular file, a size cap (WatchFolder.read).
@Suite struct InboxReadTests {
    @Test func aRegularFileIsReadWhole() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        let bytes = (0..<5000).map { UInt8($0 % 251) }
        writeWatchFile(dir.inbox + "/a.png", bytes)
        let watch = WatchFolder(inbox: dir.inbox)
        #expect(try watch.read(dir.inbox + "/a.png", maxBytes: 5000).get() == bytes)
    }

    @Test func aSymlinkIsRefusedNotFollowed() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        writeWatchFile(dir.root + "/secret", Array("outside the inbox".utf8))
        symlink(dir.root + "/secret", dir.inbox + "/swap.png")
        let watch = WatchFolder(inbox: dir.inbox)
        let result = watch.read(dir.inbox + "/swap.png", maxBytes: 1 << 20)
        guard case let .failure(e) = result else { Issue.record("a symlink was read: \(result)"); return }
        #expect(e.code == "symlink" && e.message.contains("symbolic link"), "\(e)")
        // It can still be moved to failed/ (the link itself, not its target).
        _ = try watch.fail(dir.inbox + "/swap.png", code: e.code, message: e.message)
        #expect(watchFileExists(dir.root + "/secret") && !watchFileExists(dir.inbox + "/swap.png"))
    }

    @Test func aFIFOIsRefusedWithoutHanging() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        #expect(mkfifo(dir.inbox + "/pipe.png", 0o640) == 0)
        let watch = WatchFolder(inbox: dir.inbox)
        let result = watch.read(dir.inbox + "/pipe.png", maxBytes: 1 << 20)
        guard case let .failure(e) = result else { Issue.record("a FIFO was read: \(result)"); return }
        #expect(e.code == "not_regular" && e.message.contains("FIFO"), "\(e)")
    }

    @Test func anOversizedFileIsRefusedBeforeItIsRead() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        writeWatchFile(dir.inbox + "/big.png", [UInt8](repeating: 7, count: 4097))
        let watch = WatchFolder(inbox: dir.inbox)
        let result = watch.read(dir.inbox + "/big.png", maxBytes: 4096)
        guard case let .failure(e) = result else { Issue.record("an oversized file was read"); return }
        #expect(e.code == "too_large" && e.message.contains("4097") && e.message.contains("4096"), "\(e)")
        #expect((try? watch.read(dir.inbox + "/big.png", maxBytes: 4097).get().count) == 4097)
    }
}
