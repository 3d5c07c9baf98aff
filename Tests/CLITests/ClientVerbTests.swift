import CertCore
import CertTestSupport
import Foundation
import Testing

/// `certssb status|get|list|events|submit` against a running certssbd, with clamdscan's exit
/// codes: 0 certified, 1 not certified, 2 error.
@Suite(.serialized, .blockingWork, .enabled(if: RunningDaemon.executable != nil, Paths.executableSkipReason))
struct ClientVerbTests {
    @Test func clientVerbsTalkToTheDaemon() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        let socket = ["--socket", daemon.socket]
        let pngs = try DaemonTests.digits(2, offset: 20)
        let files = try pngs.enumerated().map { i, png -> String in
            let path = daemon.folder.file("verb\(i).png")
            try Data(png).write(to: URL(fileURLWithPath: path))
            return path
        }

        let submit = try CLI.run(["submit"] + socket + Array(files[0..<2]))
        let verdicts = submit.jsonLines.compactMap { $0 }
        #expect(verdicts.count == 2 && submit.reason == .exit, "\(submit.summary)")
        let allCertified = verdicts.allSatisfy { $0["certified"] as? Bool == true }
        #expect(submit.status == (allCertified ? 0 : 1), "\(submit.summary)")
        #expect(verdicts.map { $0["sha256"] as? String } == [Checksum.sha256Hex(pngs[0]), Checksum.sha256Hex(pngs[1])])

        for verdict in verdicts {
            let sha = try #require(verdict["sha256"] as? String)
            let get = try CLI.run(["get"] + socket + [sha])
            #expect(get.jsonLines.first??["sha256"] as? String == sha, "\(get.summary)")
            #expect(get.exited(verdict["certified"] as? Bool == true ? 0 : 1), "\(get.summary)")
        }
        let unknown = try CLI.run(["get"] + socket + [String(repeating: "0", count: 64)])
        #expect(unknown.exited(2) && unknown.err.contains("404"), "\(unknown.summary)")

        let list = try CLI.run(["list"] + socket + ["--limit", "10"])
        let items = (list.jsonLines.first??["items"] as? [[String: Any]])?.compactMap { $0["sha256"] as? String }
        #expect(list.exited(0) && items == verdicts.compactMap { $0["sha256"] as? String }, "\(list.summary)")
        let status = try CLI.run(["status"] + socket)
        #expect(status.exited(0) && status.jsonLines.first??["verdicts"] as? Int == 2, "\(status.summary)")

        // events --count 1 ends with the first verdict committed after it subscribed: new
        // images are submitted until it has seen one (however long it takes to subscribe).
        let eventsOut = daemon.folder.file("events.out")
        let events = try SpawnedProcess(
            Paths.executable!, ["events", "--count", "1"] + socket, stdout: eventsOut, stderr: daemon.folder.file("events.err"))
        var submitted: [String] = []
        let deadline = Date().addingTimeInterval(Wait.defaultTimeout)
        var next = 2
        while events.isRunning && Date() < deadline {
            next += 1
            let file = daemon.folder.file("late\(next).png")
            let png = try DaemonTests.digits(1, offset: 20 + next)[0]
            try Data(png).write(to: URL(fileURLWithPath: file))
            _ = try CLI.run(["submit"] + socket + [file])
            submitted.append(Checksum.sha256Hex(png))
            Thread.sleep(forTimeInterval: 0.5)
        }
        events.wait(timeout: 30)
        let line = (try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? ""
        let event = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        #expect(!events.signalled && events.code == 0, "events: \(line)")
        #expect(submitted.contains(event?["sha256"] as? String ?? "none"), "events printed: \(line)")

        // Errors: a file that is not an image, a missing file, no daemon at the socket.
        try Data("text".utf8).write(to: URL(fileURLWithPath: daemon.folder.file("notes.txt")))
        let garbage = try CLI.run(["submit"] + socket + [daemon.folder.file("notes.txt"), files[0]])
        #expect(garbage.exited(2) && garbage.err.contains("notes.txt: 422"), "\(garbage.summary)")
        // One line per file, in input order, each naming its file; the failed one in its place.
        let lines = garbage.jsonLines.compactMap { $0 }
        #expect(lines.count == 2, "\(garbage.summary)")
        #expect(lines.first?["file"] as? String == daemon.folder.file("notes.txt") && lines.first?["error"] != nil)
        #expect(lines.last?["file"] as? String == files[0] && lines.last?["sha256"] != nil, "the good file is still answered")
        let missing = try CLI.run(["submit"] + socket + [daemon.folder.file("nothing.png")])
        #expect(missing.exited(2) && missing.err.contains("nothing.png: no such file"), "\(missing.summary)")
        let nobody = try CLI.run(["status", "--socket", daemon.folder.file("nobody.sock")])
        #expect(nobody.exited(2) && !nobody.err.isEmpty, "\(nobody.summary)")
    }
}
