import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A running certssbd on the shipped MNIST model set, in a temporary folder (socket, inbox,
/// processed/, failed/, LMDB state), stopped with SIGTERM at the end. `launcher` puts a
/// program in front of it (systemd-socket-activate); `reusing` restarts on an old folder.
final class RunningDaemon {
    let folder: TemporaryDirectory
    let process: SpawnedProcess
    var socket: String { folder.file("certssbd.sock") }
    var inbox: String { folder.file("inbox") }
    var processed: String { folder.file("processed") }
    var failed: String { folder.file("failed") }
    let stderr: URL

    static var executable: String? {
        Paths.executable.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("certssbd").path }
    }

    static var shippedModelSet: String { TestModelSets.shipped }

    init(
        extra: [String] = [], reusing existing: TemporaryDirectory? = nil, launcher: [String] = [],
        waitForSocket: Bool = true
    ) throws {
        let folder = try existing ?? TemporaryDirectory("daemon")
        self.folder = folder
        guard let daemon = Self.executable else { throw CLIError("certssbd executable not found") }
        let arguments =
            [
                daemon, "--model-set", Self.shippedModelSet, "--socket", folder.file("certssbd.sock"),
                "--watch", folder.file("inbox"), "--state", folder.file("state"),
                "--sigma_rule", "fixed", "--workers", "2",
            ] + extra
        stderr = folder.url.appendingPathComponent("stderr-\(UUID().uuidString.prefix(6)).log")
        let command = launcher + arguments
        process = try SpawnedProcess(command[0], Array(command.dropFirst()), stderr: stderr.path)
        if waitForSocket { waitUntilServing() }
    }

    /// Waits (up to three minutes: loading 72 models on a busy machine) until /v1/health
    /// answers "ready" or the process exits.
    func waitUntilServing() {
        Wait.until(timeout: 180, every: 0.1) {
            !process.isRunning
                || (FileManager.default.fileExists(atPath: socket)
                    && (try? curl(["-m", "10", "http://localhost/v1/health"]).out.contains("ready")) == true)
        }
    }

    func curl(_ args: [String]) throws -> (status: Int32, out: String) {
        let run = try CLI.run(program: "/usr/bin/curl", ["-s", "--unix-socket", socket] + args, timeout: 180)
        return (run.status, run.out)
    }

    /// A JSON object answer of GET `path` (nil when the body is not one).
    func json(_ path: String) throws -> [String: Any]? {
        try JSONSerialization.jsonObject(with: Data(curl(["http://localhost" + path]).out.utf8)) as? [String: Any]
    }

    /// Uploads `bytes` to /v1/certify; the HTTP status and the body.
    func certify(_ bytes: [UInt8]) throws -> (code: Int, body: String) {
        let file = folder.file("upload-\(UUID().uuidString.prefix(8))")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let out = try curl(["-w", "\n%{http_code}", "--data-binary", "@" + file, "http://localhost/v1/certify"]).out
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    func sendSignal(_ signal: Int32) { process.send(signal) }

    /// SIGTERM, then the exit code once the drain is over (a signal number if it died of one).
    func stop() -> Int32 {
        process.send(SIGTERM)
        process.wait()
        return process.signalled ? 128 + process.code : process.code
    }

    /// Waits until `log` contains `text` (or `timeout` passes); whether it does.
    func waitForLog(_ text: String, timeout: TimeInterval = 120) -> Bool {
        Wait.until(timeout: timeout, every: 0.1) { log.contains(text) }
    }

    var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Waits until `folder` holds `count` names ending in `suffix`; those names.
    func waitForFiles(in folder: String, suffix: String, count: Int, timeout: TimeInterval = 300) -> [String] {
        Wait.until(timeout: timeout, every: 0.1) { files(in: folder).filter { $0.hasSuffix(suffix) }.count >= count }
        return files(in: folder).filter { $0.hasSuffix(suffix) }
    }
}
