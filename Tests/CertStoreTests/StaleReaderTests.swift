import CertTestSupport
import Foundation
import Testing

@testable import CertStore

/// A process killed inside a read transaction leaves its reader slot behind; the next open
/// clears it with mdb_reader_check.
///
/// Another process must keep the environment open meanwhile: the first process to open an
/// environment resets the whole reader table, so there would be nothing left to check.
@Suite struct StaleReaderTests {
    /// mdb_dump blocked on a full pipe that nobody reads, inside its read transaction.
    private func blockedReader(_ dir: String) throws -> (Process, Pipe) {
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: "/usr/bin/mdb_dump")
        dump.arguments = ["-s", "blobs", dir]
        let pipe = Pipe()
        dump.standardOutput = pipe
        try ProcessEnvironment.withShared { try dump.run() }
        var holding = false
        for _ in 0..<100 where !holding {
            holding = try runTool("mdb_stat", ["-r", dir]).output.contains(" \(dump.processIdentifier) ")
            if !holding { usleep(20_000) }
        }
        #expect(holding)
        return (dump, pipe)
    }

    @Test func openClearsTheSlotOfAKilledReader() throws {
        let dir = try TemporaryDirectory("certstore")
        let env = try LMDBEnvironment(path: dir.path)
        let db = try env.database("blobs")
        try env.write { tx in
            for i in 0..<64 { try tx.put(db, key: BigEndianUInt64(UInt64(i)), value: [UInt8](repeating: 1, count: 4096)) }
        }
        env.close()

        let (survivor, survivorPipe) = try blockedReader(dir.path)
        let (victim, victimPipe) = try blockedReader(dir.path)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()

        let reopened = try LMDBEnvironment(path: dir.path)
        #expect(reopened.staleReadersCleared == 1)
        reopened.close()

        kill(survivor.processIdentifier, SIGKILL)
        survivor.waitUntilExit()
        try survivorPipe.fileHandleForReading.close()
        try victimPipe.fileHandleForReading.close()
    }
}
