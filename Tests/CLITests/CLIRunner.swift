import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where things are: the package, the shared fixtures beside it, and the built `certssb`.
enum Paths {
    static let packageRoot = PackagePaths.root

    static let sharedData = PackagePaths.shared.appendingPathComponent("data")
    static let checkpoints = sharedData.appendingPathComponent("certssb-mnist-onepixel-sigma0.12")
    static let referenceLogits = checkpoints.appendingPathComponent("reference_logits.json")
    static let mnistCSV = sharedData.appendingPathComponent("mnist_5k.csv.gz")

    /// The 16 checkpoints, their reference logits and the CSV are all readable: what the tests
    /// of accuracy and of the authors' logits need. Tests of behaviour take synthetic digits
    /// (`SyntheticImages`) and the shipped or a random model set instead.
    static var sharedAvailable: Bool {
        let fm = FileManager.default
        return (0..<16).allSatisfy { fm.isReadableFile(atPath: checkpoints.appendingPathComponent("smoothed_\($0).model").path) }
            && fm.isReadableFile(atPath: referenceLogits.path)
            && fm.isReadableFile(atPath: mnistCSV.path)
    }

    static let sharedSkipReason: Comment =
        "skipped: the authors' checkpoints, reference_logits.json or mnist_5k.csv.gz are not under <package root>/../shared/data"

    /// The `certssb` executable next to the test bundle (same build folder), or nil.
    static let executable: String? = locateExecutable()

    static let executableSkipReason: Comment =
        "skipped: no built certssb executable found next to the test bundle or under <package root>/.build*/{debug,release}"

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    private static func locateExecutable() -> String? {
        if let override = ProcessInfo.processInfo.environment["CERTSSB_EXECUTABLE"], isExecutableFile(override) {
            return override
        }
        // The folder that holds the test binary (Linux: <scratch>/<triple>/debug/<pkg>PackageTests.xctest,
        // an executable; macOS: a bundle folder inside the same build folder).
        var folders: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        folders.append(argv0.deletingLastPathComponent())
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let exe = Bundle.main.executableURL { folders.append(exe.deletingLastPathComponent()) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // Walk out of an .xctest bundle (macOS: Foo.xctest/Contents/MacOS/Foo).
        folders = folders.flatMap { folder -> [URL] in
            var result = [folder]
            var f = folder
            while f.path != "/" && !f.path.isEmpty {
                if f.pathExtension == "xctest" { result.append(f.deletingLastPathComponent()); break }
                f = f.deletingLastPathComponent()
            }
            return result
        }
        for folder in folders {
            let candidate = folder.appendingPathComponent("certssb").path
            if isExecutableFile(candidate) { return candidate }
        }
        // Fallback: any build folder of this package; the newest binary wins.
        let fm = FileManager.default
        let scratchFolders = ((try? fm.contentsOfDirectory(atPath: packageRoot.path)) ?? []).filter { $0.hasPrefix(".build") }
        var found: [(path: String, date: Date)] = []
        for scratch in scratchFolders {
            for config in ["debug", "release"] {
                let path = packageRoot.appendingPathComponent(scratch).appendingPathComponent(config).appendingPathComponent("certssb").path
                if isExecutableFile(path) {
                    let date = (try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
                    found.append((path, date))
                }
            }
        }
        return found.max { $0.date < $1.date }?.path
    }
}

/// What one run of `certssb` did.
struct RunResult {
    var arguments: [String]
    var status: Int32
    var reason: Process.TerminationReason
    var timedOut: Bool
    var stdout: Data
    var stderr: Data

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
    var stdoutLines: [String] { out.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    var stderrLines: [String] { err.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// Exited by itself (no signal, no timeout) with `code`.
    func exited(_ code: Int32) -> Bool { reason == .exit && !timedOut && status == code }

    var summary: String {
        "certssb \(arguments.joined(separator: " ")) -> \(reason == .exit ? "exit" : "signal") \(status)"
            + (timedOut ? " (timed out)" : "") + "\nstdout:\n\(out.prefix(4000))\nstderr:\n\(err.prefix(4000))"
    }

    /// stdout lines parsed as JSON objects (a line that is not one becomes nil).
    var jsonLines: [[String: Any]?] {
        stdoutLines.map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs the built `certssb` (or another program) with Foundation `Process`; output goes to
/// temporary files (no pipe can fill up), and a run past `timeout` is terminated, then killed.
enum CLI {
    static func run(_ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 600) throws -> RunResult {
        guard let executable = Paths.executable else { throw CLIError("certssb executable not found") }
        return try run(program: executable, arguments, environment: environment, timeout: timeout)
    }

    /// `environment` replaces the child's environment when given (else it inherits ours).
    static func run(
        program executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: TimeInterval = 600
    ) throws -> RunResult {
        let scratch = try TemporaryDirectory("run")
        let outURL = URL(fileURLWithPath: scratch.file("stdout")), errURL = URL(fileURLWithPath: scratch.file("stderr"))
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? outHandle.close(); try? errHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try ProcessEnvironment.withShared { try process.run() }
        var timedOut = false
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if done.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                done.wait()
            }
        }
        process.waitUntilExit()
        return RunResult(
            arguments: arguments, status: process.terminationStatus, reason: process.terminationReason,
            timedOut: timedOut, stdout: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: (try? Data(contentsOf: errURL)) ?? Data())
    }

    /// SHA-256 of each file, computed by coreutils, not by certssb's code.
    static func sha256sum(_ paths: [String]) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = paths
        let pipe = Pipe()
        process.standardOutput = pipe
        try ProcessEnvironment.withShared { try process.run() }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("sha256sum failed") }
        var result: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            // "<64 hex>  <path>"
            let hash = String(line.prefix(64))
            let path = String(line.dropFirst(66))
            result[path] = hash
        }
        return result
    }
}
