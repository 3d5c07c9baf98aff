import CertDaemon
import CertTestSupport
import Foundation
import Glibc
import Testing

// Real inotify in temporary folders. Waits are for conditions with generous deadlines; only
// the "nothing more arrives" checks use short fixed pauses (a late duplicate could slip past
// them, but none can make them fail wrongly).
@Suite(.serialized) struct WatchFolderTests {
    @Test func filesPresentAtStartAreYieldedInNameOrder() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        for name in ["b.png", "a.png", "c.jpg", ".hidden", "x.part", "y.tmp"] {
            writeWatchFile(dir.inbox + "/" + name, [1, 2, 3])
        }
        mkdir(dir.inbox + "/sub", 0o750)
        symlink(dir.inbox + "/a.png", dir.inbox + "/link.png")
        let watch = WatchFolder(inbox: dir.inbox)
        defer { watch.stop() }
        let got = WatchCollector(watch.files())
        got.wait(for: 4)
        // The symlink is yielded too, so that `read` refuses it and it goes to failed/.
        #expect(got.settle() == ["a.png", "b.png", "c.jpg", "link.png"].map { dir.inbox + "/" + $0 })
        #expect(watchFileExists(dir.processed) && watchFileExists(dir.failed))
    }

    @Test func eventsQueuedDuringTheScanAreDeduplicated() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        writeWatchFile(dir.inbox + "/a.png", [1])
        writeWatchFile(dir.inbox + "/b.png", [1])
        // Events for files the scan also sees, as if they landed between the watch and the scan.
        let syscalls = InjectingSyscalls()
        syscalls.inject(
            Inotify.record(wd: 1, mask: Inotify.closeWrite, name: "b.png")
                + Inotify.record(wd: 1, mask: Inotify.movedTo, cookie: 5, name: "a.png")
                + Inotify.record(wd: 1, mask: Inotify.closeWrite, name: "gone.png"))
        let watch = WatchFolder(inbox: dir.inbox, syscalls: syscalls)
        defer { watch.stop() }
        let got = WatchCollector(watch.files())
        got.wait(for: 2)
        #expect(got.settle() == [dir.inbox + "/a.png", dir.inbox + "/b.png"])
    }

    @Test func slowWriteIsYieldedOnceAfterClose() throws {
        try watchingInbox { dir, watch, got in
            let path = dir.inbox + "/slow.png"
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
            var expected: [UInt8] = []
            for chunk in 0..<5 {
                let bytes = [UInt8](repeating: UInt8(chunk), count: 1000)
                expected += bytes
                bytes.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
                usleep(60_000)
                #expect(got.paths.isEmpty, "yielded before close")
            }
            close(fd)
            #expect(got.wait(for: 1) == [path])
            #expect(readWatchFile(path) == expected)
            #expect(got.settle() == [path])
        }
    }

    @Test func fileRenamedInIsYieldedOnce() throws {
        try watchingInbox { dir, watch, got in
            writeWatchFile(dir.root + "/elsewhere.png", [9, 9])
            #expect(rename(dir.root + "/elsewhere.png", dir.inbox + "/moved.png") == 0)
            got.wait(for: 1)
            #expect(got.settle() == [dir.inbox + "/moved.png"])
        }
    }

    @Test func partFilesAreIgnoredUntilRenamed() throws {
        try watchingInbox { dir, watch, got in
            writeWatchFile(dir.inbox + "/img.png.part", [1])
            writeWatchFile(dir.inbox + "/.img2.png", [1])
            writeWatchFile(dir.inbox + "/img3.png.tmp", [1])
            #expect(got.settle().isEmpty)
            #expect(rename(dir.inbox + "/img.png.part", dir.inbox + "/img.png") == 0)
            got.wait(for: 1)
            #expect(got.settle() == [dir.inbox + "/img.png"])
        }
    }

    @Test func twoHundredFilesAreEachYieldedOnce() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        let staging = dir.root + "/staging"
        mkdir(staging, 0o750)
        let watch = WatchFolder(inbox: dir.inbox)
        defer { watch.stop() }
        let got = WatchCollector(watch.files())
        let writers = (0..<2).map { t in
            Thread {
                for i in 0..<50 {
                    let fd = open(dir.inbox + "/w\(t)-\(i).png", O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
                    for _ in 0..<3 {
                        [UInt8](repeating: 7, count: 100).withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
                        usleep(500)
                    }
                    close(fd)
                }
            }
        }
        writers.forEach { $0.start() }
        for i in 0..<100 {
            writeWatchFile(staging + "/r\(i).png", [UInt8(i)])
            rename(staging + "/r\(i).png", dir.inbox + "/r\(i).png")
        }
        got.wait(for: 200)
        let paths = got.settle()
        let expected = Set((0..<100).map { "r\($0).png" } + (0..<2).flatMap { t in (0..<50).map { "w\(t)-\($0).png" } })
        #expect(paths.count == 200)
        #expect(Set(paths) == Set(expected.map { dir.inbox + "/" + $0 }))
    }

    @Test func finishAndFailMoveFilesAndWriteSidecars() throws {
        try watchingInbox { dir, watch, got in
            let verdict = Array(#"{"verdict":"clean","radius":0.5}"#.utf8)

            writeWatchFile(dir.inbox + "/a.png", [1])
            let first = try #require(got.wait(for: 1).first)
            #expect(try watch.finish(first, verdictJSON: verdict) == dir.processed + "/a.png")
            #expect(!watchFileExists(first))
            #expect(readWatchFile(dir.processed + "/a.png") == [1])
            let parsed = try JSONSerialization.jsonObject(with: Data(readWatchFile(dir.processed + "/a.png.verdict.json")!))
            #expect((parsed as? [String: Any])?["verdict"] as? String == "clean")

            // Same name again: a suffix, never an overwrite; a new file of a finished name counts again.
            writeWatchFile(dir.inbox + "/a.png", [2])
            let second = try #require(got.wait(for: 2).last)
            #expect(second == dir.inbox + "/a.png")
            #expect(try watch.finish(second, verdictJSON: verdict) == dir.processed + "/a-1.png")
            #expect(readWatchFile(dir.processed + "/a.png") == [1])
            #expect(readWatchFile(dir.processed + "/a-1.png") == [2])
            #expect(watchFileExists(dir.processed + "/a-1.png.verdict.json"))

            for (n, byte) in [(3, UInt8(3)), (4, UInt8(4))] {
                writeWatchFile(dir.inbox + "/b \"q\".png", [byte])
                let path = try #require(got.wait(for: n).last)
                try watch.fail(path, code: "decode", message: "not a PNG:\n\"bad\" header")
            }
            for name in ["b \"q\".png", "b \"q\"-1.png"] {
                let data = try #require(readWatchFile(dir.failed + "/" + name + ".error.json"))
                let obj = try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [String: String])
                #expect(obj == ["file": "b \"q\".png", "error": "not a PNG:\n\"bad\" header", "code": "decode"])
            }
            #expect(readWatchFile(dir.failed + "/b \"q\"-1.png") == [4])
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.inbox).isEmpty)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir.processed).sorted()
                    == ["a-1.png", "a-1.png.verdict.json", "a.png", "a.png.verdict.json"])  // No temp files left.
            #expect(got.settle().count == 4)
        }
    }

    /// A SIGKILL between the sidecar's rename and the file's leaves the file in the inbox and
    /// its sidecar in processed/. The next daemon offers the file again with the same verdict
    /// from the store: the move completes under the original name, with no suffix and no file
    /// without a sidecar. A left-over sidecar with other bytes still makes the name taken.
    @Test func aMoveInterruptedBetweenItsRenamesCompletesUnderItsName() throws {
        try watchingInbox { dir, watch, got in
            let verdict = Array(#"{"label":1,"radius":0.5}"#.utf8)
            writeWatchFile(dir.processed + "/a.png.verdict.json", verdict)  // what the killed move left
            writeWatchFile(dir.inbox + "/a.png", [1])
            let a = try #require(got.wait(for: 1).first)
            #expect(try watch.finish(a, verdictJSON: verdict) == dir.processed + "/a.png")
            #expect(readWatchFile(dir.processed + "/a.png") == [1])
            #expect(readWatchFile(dir.processed + "/a.png.verdict.json") == verdict)

            writeWatchFile(dir.processed + "/b.png.verdict.json", Array(#"{"label":0}"#.utf8))  // another verdict's
            writeWatchFile(dir.inbox + "/b.png", [2])
            let b = try #require(got.wait(for: 2).last)
            #expect(try watch.finish(b, verdictJSON: verdict) == dir.processed + "/b-1.png")
            #expect(readWatchFile(dir.processed + "/b.png.verdict.json") == Array(#"{"label":0}"#.utf8))
            #expect(readWatchFile(dir.processed + "/b-1.png.verdict.json") == verdict)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir.processed).sorted()
                    == ["a.png", "a.png.verdict.json", "b-1.png", "b-1.png.verdict.json", "b.png.verdict.json"])
        }
    }

    /// A temporary sidecar left by a killed process (no such PID) is removed when watching
    /// starts; a live process's, this one's included, is left alone.
    @Test func staleTemporarySidecarsAreRemovedAtStart() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.processed, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.failed, withIntermediateDirectories: true)
        let dead = Int32.max - 7  // above pid_max: no such process
        let stale = [dir.processed + "/.sidecar.\(dead).3.tmp", dir.failed + "/.sidecar.\(dead).4.tmp"]
        let live = [dir.processed + "/.sidecar.\(getpid()).9.tmp", dir.processed + "/.sidecar.1.2.tmp", dir.processed + "/.other.tmp"]
        for path in stale + live { writeWatchFile(path, [1]) }
        let watch = WatchFolder(inbox: dir.inbox)
        defer { watch.stop() }
        _ = watch.files()
        for path in stale { #expect(!watchFileExists(path), "\(path) should be gone") }
        for path in live { #expect(watchFileExists(path), "\(path) should stay") }
    }

    @Test func overflowRescansWithoutDuplicates() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        for name in ["a.png", "b.png", "c.png"] { writeWatchFile(dir.inbox + "/" + name, [1]) }
        let syscalls = InjectingSyscalls()
        let watch = WatchFolder(inbox: dir.inbox, syscalls: syscalls)
        defer { watch.stop() }
        let got = WatchCollector(watch.files())
        got.wait(for: 3)

        // Lose the events of d and e, as a full queue would, then report the overflow.
        syscalls.setMuted(true)
        writeWatchFile(dir.inbox + "/d.png", [1])
        writeWatchFile(dir.inbox + "/e.png", [1])
        Wait.until { syscalls.swallowedCount >= 2 }
        #expect(got.paths.count == 3)
        syscalls.setMuted(false)
        syscalls.inject(Inotify.record(wd: -1, mask: Inotify.queueOverflow))

        got.wait(for: 5)
        #expect(got.settle() == ["a.png", "b.png", "c.png", "d.png", "e.png"].map { dir.inbox + "/" + $0 })
        syscalls.inject(Inotify.record(wd: -1, mask: Inotify.queueOverflow))
        #expect(got.settle().count == 5)
    }

    @Test func failedMoveThrowsAndLeavesTheFileInTheInbox() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        // Root ignores permissions: a regular file where processed/ should be forces ENOTDIR.
        let blocked = dir.root + "/processed-is-a-file"
        writeWatchFile(blocked, [0])
        let watch = WatchFolder(inbox: dir.inbox, processed: blocked)
        defer { watch.stop() }
        let got = WatchCollector(watch.files())
        writeWatchFile(dir.inbox + "/a.png", [5])
        let path = try #require(got.wait(for: 1).first)
        do {
            try watch.finish(path, verdictJSON: [1])
            Issue.record("finish should have thrown")
        } catch let error as WatchMoveError {
            #expect(error.errno == ENOTDIR)
            #expect(error.description.contains(path) && !error.description.contains("\n"))
        }
        #expect(readWatchFile(path) == [5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.inbox) == ["a.png"])
        #expect(got.settle() == [path])
    }

    @Test func spaceAndPermissionErrorsLeaveTheFileInTheInbox() throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        let syscalls = InjectingSyscalls()
        let watch = WatchFolder(inbox: dir.inbox, syscalls: syscalls)
        defer { watch.stop() }
        let got = WatchCollector(watch.files())
        writeWatchFile(dir.inbox + "/a.png", [6])
        let path = try #require(got.wait(for: 1).first)

        syscalls.failWrites(ENOSPC)  // The sidecar cannot be written.
        #expect {
            try watch.fail(path, code: "x", message: "y")
        } throws: { error in
            let e = error as? WatchMoveError
            return e?.errno == ENOSPC && e?.description.contains("No space left on device") == true
        }
        syscalls.failWrites(nil)
        syscalls.failRenames(to: ".verdict.json", EACCES)  // The sidecar cannot be renamed into place.
        #expect(throws: WatchMoveError.self) { try watch.finish(path, verdictJSON: [1]) }

        #expect(readWatchFile(path) == [6])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.processed).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.failed).isEmpty)
        // Still pending: a later finish succeeds, and the file was never yielded twice.
        syscalls.failRenames(to: "never", 0)
        #expect(try watch.finish(path, verdictJSON: [1]) == dir.processed + "/a.png")
        #expect(got.settle() == [path])
    }

    @Test func aFileRemovedBehindOurBackCanArriveAgain() throws {
        try watchingInbox { dir, watch, got in
            writeWatchFile(dir.inbox + "/a.png", [1])
            let path = try #require(got.wait(for: 1).first)
            unlink(path)
            #expect(throws: WatchMoveError.self) { try watch.fail(path, code: "gone", message: "vanished") }
            writeWatchFile(path, [2])
            #expect(got.wait(for: 2) == [path, path])
        }
    }

    /// A file left in the inbox for a retry comes again once the delay is over, and not before.
    @Test func retryLaterOffersTheFileAgainAfterTheDelay() throws {
        try watchingInbox { dir, watch, got in
            writeWatchFile(dir.inbox + "/a.png", [1])
            let path = try #require(got.wait(for: 1).first)
            let asked = Date()
            watch.retryLater(path, after: 0.6)
            #expect(got.wait(for: 2) == [path, path])
            #expect(Date().timeIntervalSince(asked) >= 0.6)
            #expect(got.wait(for: 3, timeout: 1).count == 2, "offered once per retry")
        }
    }

    @Test func stopEndsTheStream() async throws {
        let dir = try WatchTempDir()
        defer { dir.remove() }
        let watch = WatchFolder(inbox: dir.inbox + "/deeper/")  // Created, with its parents.
        let stream = watch.files()
        #expect(watchFileExists(dir.inbox + "/deeper"))
        #expect(watch.processed == dir.inbox + "/processed")
        watch.stop()
        var count = 0
        for await _ in stream { count += 1 }
        #expect(count == 0)
    }

    @Test func inotifyRecordsRoundTrip() {
        let bytes =
            Inotify.record(wd: 3, mask: Inotify.movedTo, cookie: 7, name: "x.png")
            + Inotify.record(wd: -1, mask: Inotify.queueOverflow)
        #expect(bytes.count == 16 + 16 + 16)
        let events = Inotify.parse(ArraySlice(bytes))
        #expect(
            events == [
                Inotify.Event(wd: 3, mask: Inotify.movedTo, cookie: 7, name: "x.png"),
                Inotify.Event(wd: -1, mask: Inotify.queueOverflow, cookie: 0, name: ""),
            ])
        #expect(
            events.compactMap(WatchEvent.init) == [
                WatchEvent(name: "x.png", kind: .movedIn),
                WatchEvent(name: "", kind: .overflow),
            ])
        #expect(Inotify.parse(ArraySlice(bytes.dropLast(10))).count == 1)  // A truncated record is dropped.
    }
}
