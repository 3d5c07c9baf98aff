import CertBench
import CertClient
import Foundation

/// A real certssbd, as a user runs it: the release build next to this `certssb`, on a
/// temporary state folder, socket, inbox and config file; PNG uploads over the Unix socket
/// from `clients` concurrent connections, timed from the first upload to the last answer
/// (certssbd answers an upload only after its verdict is committed), and certssbd's peak
/// resident memory (VmHWM) at the end. One fresh daemon per run, so every run certifies
/// (a stored verdict would be answered from the store).
struct DaemonBench {
    /// Config keys beyond the temporary paths (`sigma_rule = fixed`, …); empty: the defaults.
    var config: [String: String]
    /// The model set the daemon certifies with.
    var modelSet: String
    /// Connections uploading at once. Twice `max_batch` by default: one micro-batch queues
    /// while the other computes, as under load.
    var clients: Int

    struct Run {
        var seconds: Double
        var images: Int
        var peakRSSMB: Double
        var startSeconds: Double
        var imagesPerSecond: Double { Double(images) / seconds }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static var executable: String {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("certssbd").path
    }

    func run(uploads: [[UInt8]]) throws -> Run {
        let fm = FileManager.default
        let folder = NSTemporaryDirectory() + "certssb-bench-d-" + UUID().uuidString.prefix(8)
        try fm.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: folder) }
        var keys = config
        keys["model_set"] = modelSet
        keys["state_dir"] = folder + "/state"
        keys["watch_dir"] = folder + "/inbox"
        keys["socket"] = folder + "/d.sock"
        let text = keys.sorted { $0.key < $1.key }.map { "\($0.key) = \"\(Self.quoted($0.value))\"" }.joined(separator: "\n") + "\n"
        try text.write(toFile: folder + "/certssbd.conf", atomically: true, encoding: .utf8)
        guard fm.isExecutableFile(atPath: Self.executable) else {
            throw Failure(description: "no certssbd next to certssb (\(Self.executable)): build it with swift build -c release")
        }
        let log = folder + "/certssbd.log"
        fm.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["--config", folder + "/certssbd.conf"]
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        let started = Stopwatch.now()
        try process.run()
        defer { Self.stop(process) }
        let client = UnixHTTPClient(socketPath: keys["socket"]!)
        try waitUntilReady(client, process, log: log)
        let startSeconds = Stopwatch.now() - started

        let queue = UploadQueue(count: uploads.count)
        let done = DispatchGroup()
        let t0 = Stopwatch.now()
        for _ in 0..<min(clients, uploads.count) {
            done.enter()
            Thread {
                defer { done.leave() }
                while let i = queue.take() {
                    do {
                        let reply = try client.request("POST", "/v1/certify", body: uploads[i])
                        if reply.status != 200 {
                            queue.fail("upload \(i): HTTP \(reply.status) \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
                        }
                    } catch {
                        queue.fail("upload \(i): \(error)")
                    }
                }
            }.start()
        }
        done.wait()
        let seconds = Stopwatch.now() - t0
        let failures = queue.failures
        let peak = ProcessMemory.status(pid: process.processIdentifier)?.peakMB ?? .nan
        if let first = failures.first {
            throw Failure(description: "certssbd answered \(failures.count) of \(uploads.count) uploads with an error, first: \(first)")
        }
        return Run(seconds: seconds, images: uploads.count, peakRSSMB: peak, startSeconds: startSeconds)
    }

    /// Until /v1/health says ready (the set loaded and checked, the store open); fails with
    /// the log's tail when certssbd exits first, or after ten minutes.
    private func waitUntilReady(_ client: UnixHTTPClient, _ process: Process, log: String) throws {
        let deadline = Stopwatch.now() + 600
        while Stopwatch.now() < deadline {
            guard process.isRunning else {
                let tail =
                    (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
                throw Failure(description: "certssbd exited (\(process.terminationStatus)) before it was ready:\n\(tail)")
            }
            if let reply = try? client.request("GET", "/v1/health"), reply.status == 200,
                String(decoding: reply.body, as: UTF8.self).contains("\"ready\"")
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "certssbd was not ready within 600 s (log: \(log))")
    }

    /// SIGTERM (certssbd drains and exits 0), then SIGKILL after a minute.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Stopwatch.now() + 60
        while process.isRunning && Stopwatch.now() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A config value inside double quotes: backslash and quote escaped.
    private static func quoted(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// The next upload for whichever client asks, and the failures they saw.
///
/// `@unchecked Sendable`: every field is read and written under `lock`.
private final class UploadQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var failed: [String] = []

    init(count: Int) { self.count = count }

    /// The index of the next upload, or nil when every one has been taken.
    func take() -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func fail(_ message: String) { lock.withLock { failed.append(message) } }

    var failures: [String] { lock.withLock { failed } }
}
