import Foundation
import Testing

/// One certssbd per state directory: a second one would keep its own region index and break
/// the storage-update's invariant, so it refuses to start (exit 2, naming the directory).
@Suite struct DaemonStateLockTests {
    @Test func aSecondDaemonOnTheSameStateRefusesAndTheFirstServesOn() throws {
        let first = try RunningDaemon()
        defer { _ = first.stop() }
        guard let executable = RunningDaemon.executable else { throw CLIError("certssbd executable not found") }
        let second = try CLI.run(
            program: executable,
            [
                "--model-set", RunningDaemon.shippedModelSet, "--state", first.folder.file("state"),
                "--socket", first.folder.file("second.sock"), "--watch", "",
            ], timeout: 120)
        #expect(second.status == 2 && second.err.contains("in use by another certssbd"), "\(second.err)")
        #expect(try first.curl(["http://localhost/v1/health"]).out.contains("ready"))
        // Once the first is gone (even killed), the lock goes with it.
        #expect(first.stop() == 0)
        let third = try RunningDaemon(reusing: first.folder)
        defer { _ = third.stop() }
        #expect(try third.curl(["http://localhost/v1/health"]).out.contains("ready"), "\(third.log)")
    }
}
