import CertSystem
import Foundation
import Glibc
import Testing

/// Memory maps, shared libraries and the signal pipe: the rest of the syscall layer.
@Suite("CertSystem maps, libraries, signals")
struct MappingAndLoadingTests {
    private func scratch(_ name: String) -> String {
        NSTemporaryDirectory() + "certsystem-\(getpid())-\(UUID().uuidString.prefix(8))-\(name)"
    }

    @Test func mapsAFileAndRefusesDirectoriesEmptyAndMissingFiles() throws {
        let path = scratch("map")
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let map = try MemoryMap(path: path)
        #expect(Array(map.bytes) == bytes)

        let empty = scratch("empty")
        FileManager.default.createFile(atPath: empty, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect { try MemoryMap(path: empty) } throws: { ($0 as? SystemError)?.note == "file is empty" }
        #expect { try MemoryMap(path: "/tmp") } throws: { ($0 as? SystemError)?.note == "not a regular file" }
        #expect { try MemoryMap(path: scratch("missing")) } throws: { ($0 as? SystemError)?.errno == ENOENT }
    }

    @Test func opensASharedLibraryAndFindsOnlyItsSymbols() throws {
        let libc = try DynamicLibrary(path: "libc.so.6")
        #expect(libc.symbol("getpid") != nil)
        #expect(libc.symbol("certssb_no_such_symbol") == nil)
        let notALibrary = scratch("plain.so")
        try Data("not an ELF file".utf8).write(to: URL(fileURLWithPath: notALibrary))
        defer { try? FileManager.default.removeItem(atPath: notALibrary) }
        #expect { try DynamicLibrary(path: notALibrary) } throws: { "\($0)".contains("plain.so") }
    }

    @Test func aRaisedSignalArrivesOnThePipe() throws {
        let reader = try SignalPipe.install([SIGUSR2])
        kill(getpid(), SIGUSR2)  // process-directed: a test thread may block signals, raise() would wait for it
        try #require(try SystemCall.pollReadable(reader, timeoutMs: 10_000), "no byte on the pipe within 10 s")
        #expect(SignalPipe.next(reader) == SIGUSR2)
    }
}
