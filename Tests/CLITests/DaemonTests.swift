import CertCore
import CertData
import Foundation
import Testing

/// certssbd end to end: a real daemon process, a real watch folder (inotify), a real Unix
/// socket (curl --unix-socket) and a real LMDB store, on the shipped MNIST model set.
/// A running certssbd in a temporary state folder, stopped (SIGTERM) at the end.
final class RunningDaemon {
    let folder: TemporaryFolder
    let process = Process()
    var socket: String { folder.file("certssbd.sock") }
    var inbox: String { folder.file("inbox") }
    var processed: String { folder.file("processed") }
    var failed: String { folder.file("failed") }
    let stderr: URL

    init(extra: [String] = [], reusing existing: TemporaryFolder? = nil) throws {
        let folder = try existing ?? TemporaryFolder("daemon")
        self.folder = folder
        let daemon = Paths.executable!.replacingOccurrences(of: "/certssb", with: "/certssbd", options: .backwards)
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = ["--model-set", Paths.packageRoot.appendingPathComponent("model/mnist/onepixel/sigma0.12").path,
                             "--socket", folder.file("certssbd.sock"), "--watch", folder.file("inbox"), "--state", folder.file("state"),
                             "--sigma_rule", "fixed", "--workers", "2"] + extra
        let stderr = folder.url.appendingPathComponent("stderr-\(UUID().uuidString.prefix(6)).log")
        self.stderr = stderr
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: folder.file("certssbd.sock")) && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
    }

    func curl(_ args: [String]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--unix-socket", socket] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
}

@Suite(.serialized) struct DaemonTests {
    static func digits(_ n: Int) throws -> [[UInt8]] {
        let data = try MNISTCSV.load(path: Paths.mnistCSV.path)
        return try (0..<n).map { i in try PNGEncoder.encode(data.images[(i * 37) % data.images.count]) }
    }

    @Test(.enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
    func watchFolderProcessesEveryFileExactlyOnce() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        #expect(daemon.process.isRunning, "\(daemon.log)")
        let images = try Self.digits(40)
        let staging = try TemporaryFolder("staging")
        for (i, png) in images.enumerated() {
            let name = String(format: "digit%03d.png", i)
            if i % 2 == 0 {
                try Data(png).write(to: URL(fileURLWithPath: staging.file(name)))
                try FileManager.default.moveItem(atPath: staging.file(name), toPath: daemon.inbox + "/" + name)
            } else {
                // Opened once and written slowly in pieces: the daemon must wait for the close.
                let fd = open(daemon.inbox + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
                for chunk in stride(from: 0, to: png.count, by: png.count / 3 + 1) {
                    handle.write(Data(png[chunk..<min(chunk + png.count / 3 + 1, png.count)]))
                    Thread.sleep(forTimeInterval: 0.01)
                }
                try handle.close()
            }
        }
        let deadline = Date().addingTimeInterval(150)
        func sidecars() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: daemon.processed)) ?? []).filter { $0.hasSuffix(".verdict.json") } }
        while sidecars().count < 40 && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(sidecars().count == 40, "\(daemon.log)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: daemon.inbox)) ?? []).isEmpty)
        for name in sidecars() {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.processed + "/" + name))) as! [String: Any]
            let png = try Data(contentsOf: URL(fileURLWithPath: daemon.processed + "/" + name.replacingOccurrences(of: ".verdict.json", with: "")))
            #expect(json["sha256"] as? String == Checksum.sha256Hex(png), "the verdict is of the whole file")
        }
        // Every verdict is in the store: the list has 40 distinct hashes.
        let list = try daemon.curl(["http://localhost/v1/verdicts?limit=1000"])
        let items = (try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
        #expect(Set(items.compactMap { $0["sha256"] as? String }).count == Set(images.map { Checksum.sha256Hex($0) }).count)
        #expect(daemon.stop() == 0)
    }

    @Test(.enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
    func socketAPIAnswersWithCurl() throws {
        let daemon = try RunningDaemon()
        defer { _ = daemon.stop() }
        let folder = try TemporaryFolder("upload")
        let png = try Self.digits(1)[0]
        try Data(png).write(to: URL(fileURLWithPath: folder.file("d.png")))
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"))
        let verdict = try daemon.curl(["--data-binary", "@" + folder.file("d.png"), "http://localhost/v1/certify"]).out
        let object = try JSONSerialization.jsonObject(with: Data(verdict.utf8)) as? [String: Any]
        let sha = Checksum.sha256Hex(png)
        #expect(object?["sha256"] as? String == sha, "\(verdict) \(daemon.log)")
        #expect(try daemon.curl(["http://localhost/v1/verdicts/\(sha)"]).out.contains(sha))
        #expect(try daemon.curl(["-o", "/dev/null", "-w", "%{http_code}", "http://localhost/v1/verdicts/" + String(repeating: "0", count: 64)]).out == "404")
        // A non-image upload is refused with a JSON error and the daemon keeps serving.
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder.file("x.txt")))
        let bad = try daemon.curl(["-w", " %{http_code}", "--data-binary", "@" + folder.file("x.txt"), "http://localhost/v1/certify"]).out
        #expect(bad.hasSuffix(" 422") && bad.contains("\"error\""), "\(bad)")
        let metrics = try daemon.curl(["http://localhost/metrics"]).out
        #expect(metrics.contains("# TYPE certssbd_verdicts_total counter") && metrics.contains("certssbd_verdicts_total 1"))
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"))
        #expect(daemon.stop() == 0)
    }
}
