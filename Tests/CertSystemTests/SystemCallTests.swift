import CertSystem
import CertTestSupport
import Foundation  // Thread and DispatchSemaphore, for the pipe writer
import Glibc
import Testing

private func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = try SystemCall.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer { SystemCall.close(fd) }
    try SystemCall.writeAll(fd, bytes)
}

@Suite("CertSystem files")
struct SystemFileTests {
    @Test func readFileWithCapExactAndOverByOne() throws {
        let directory = try TemporaryDirectory("certsystem")
        defer { directory.remove() }
        let dir = directory.path
        let path = dir + "/data"
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }  // several 64 KiB chunks
        try writeFile(path, bytes)
        #expect(try SystemCall.readFile(path, limit: bytes.count) == bytes)
        #expect(try SystemCall.readFile(path) == bytes)
        #expect(throws: SystemError(call: "read", path: path, errno: EFBIG, note: "more than 199999 bytes")) {
            try SystemCall.readFile(path, limit: bytes.count - 1)
        }
    }

    @Test func missingFileIsENOENTOnOneLine() throws {
        let error = #expect(throws: SystemError.self) { try SystemCall.readFile("/nonexistent/certsystem") }
        #expect(error?.errno == ENOENT)
        #expect(error?.description == "open /nonexistent/certsystem: No such file or directory")
        #expect(error?.reason == "No such file or directory")
    }

    @Test func partialReadsOfAPipeAreJoined() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { SystemCall.close(readEnd) }
        let pieces: [[UInt8]] = [[1, 2, 3], [4], Array(repeating: 9, count: 5000)]
        // The writer sleeps between pieces, so each read(2) returns only part of the stream.
        let done = DispatchSemaphore(value: 0)
        let writer = Thread {
            defer { done.signal() }
            for piece in pieces {
                try? SystemCall.writeAll(writeEnd, piece)
                usleep(20_000)
            }
            SystemCall.close(writeEnd)
        }
        writer.start()
        let got = try SystemCall.readAll(readEnd, limit: 10_000)
        done.wait()
        #expect(got == pieces.flatMap { $0 })
    }

    @Test func fstatSizeAndMode() throws {
        let directory = try TemporaryDirectory("certsystem")
        defer { directory.remove() }
        let dir = directory.path
        try writeFile(dir + "/f", [1, 2, 3])
        let fd = try SystemCall.open(dir + "/f", O_RDONLY | O_CLOEXEC)
        defer { SystemCall.close(fd) }
        let status = try SystemCall.fstat(fd)
        #expect(status.isRegular && status.size == 3)
        #expect(try SystemCall.stat(dir).isDirectory)
    }

    @Test func renameNoReplaceRefusesAnExistingTarget() throws {
        let directory = try TemporaryDirectory("certsystem")
        defer { directory.remove() }
        let dir = directory.path
        try writeFile(dir + "/a", [1])
        try writeFile(dir + "/b", [2])
        let error = #expect(throws: SystemError.self) { try SystemCall.rename(dir + "/a", dir + "/b", noReplace: true) }
        #expect(error?.errno == EEXIST)
        try SystemCall.rename(dir + "/a", dir + "/c", noReplace: true)
        #expect(try SystemCall.readFile(dir + "/c") == [1])
        #expect(try SystemCall.listDirectory(dir).sorted() == ["b", "c"])
    }

    @Test func listDirectorySkipsNamesThatAreNotUTF8() throws {
        let directory = try TemporaryDirectory("certsystem")
        defer { directory.remove() }
        let dir = directory.path
        defer {
            // The raw name cannot be spelt as a String: unlink it by bytes (the rest goes with `directory`).
            var raw = Array((dir + "/").utf8).map { CChar(bitPattern: $0) } + [CChar(bitPattern: 0xFF), 0x61, 0]
            _ = unlink(&raw)
        }
        try writeFile(dir + "/plain", [])
        try SystemCall.mkdir(dir + "/sub", 0o700)
        // "\xFFa": not UTF-8, created through open(2) on raw bytes.
        var raw = Array((dir + "/").utf8).map { CChar(bitPattern: $0) } + [CChar(bitPattern: 0xFF), 0x61, 0]
        let fd = Glibc.open(&raw, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        #expect(fd >= 0)
        Glibc.close(fd)
        #expect(try SystemCall.listDirectory(dir).sorted() == ["plain", "sub"])
    }
}

@Suite("CertSystem Unix sockets")
struct UnixSocketTests {
    @Test func pathOfMoreThan107BytesIsRefused() throws {
        let ok = "/" + String(repeating: "a", count: 106)
        #expect(throws: Never.self) { try UnixSocket.address(ok) }
        let long = ok + "b"
        let error = #expect(throws: SystemError.self) { try UnixSocket.connect(long) }
        #expect(error?.errno == ENAMETOOLONG)
        #expect(error?.call == "connect")
        #expect(error?.description.contains("at most 107 bytes") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func connectingToAMissingSocketSaysWhy() throws {
        let directory = try TemporaryDirectory("certsystem")
        defer { directory.remove() }
        let dir = directory.path
        let missing = #expect(throws: SystemError.self) { try UnixSocket.connect(dir + "/none.sock") }
        #expect(missing?.errno == ENOENT)
        #expect(missing?.description == "connect \(dir)/none.sock: No such file or directory")

        // A socket file nobody listens on any more.
        let fd = try UnixSocket.listen(dir + "/dead.sock")
        SystemCall.close(fd)
        let refused = #expect(throws: SystemError.self) { try UnixSocket.connect(dir + "/dead.sock") }
        #expect(refused?.errno == ECONNREFUSED)
        #expect(refused?.description == "connect \(dir)/dead.sock: Connection refused")
    }

    @Test func bindListenConnectRoundTrip() throws {
        let directory = try TemporaryDirectory("certsystem")
        defer { directory.remove() }
        let dir = directory.path
        let path = dir + "/s.sock"
        let listener = try UnixSocket.listen(path)
        defer { SystemCall.close(listener) }
        #expect(try SystemCall.lstat(path).isSocket)
        let again = #expect(throws: SystemError.self) { try UnixSocket.listen(path) }
        #expect(again?.errno == EADDRINUSE)

        let client = try UnixSocket.connect(path)
        let server = try UnixSocket.accept(listener)
        try SystemCall.writeAll(client, Array("ping".utf8))
        SystemCall.close(client)
        #expect(try SystemCall.readAll(server) == Array("ping".utf8))
        SystemCall.close(server)
    }
}
