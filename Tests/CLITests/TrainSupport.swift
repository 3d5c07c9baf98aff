import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the `train` and `triggers` tests need beyond CLIRunner: the MNIST CSV alone (not the
/// authors' checkpoints), the manifest, IDX files, C plugins and a run that is interrupted.
enum TrainPaths {
    /// `../shared/data/mnist_5k.csv.gz` is readable (the checkpoints are not needed here).
    static var csvAvailable: Bool { FileManager.default.isReadableFile(atPath: Paths.mnistCSV.path) }

    static let csvSkipReason: Comment =
        "skipped: <package root>/../shared/data/mnist_5k.csv.gz is absent (run scripts/fetch-mnist5k.sh)"

    /// The plugin folder of the build under test: the folder of the executable.
    static var builtPluginFolder: String? {
        Paths.executable.map { ($0 as NSString).deletingLastPathComponent }
    }

    static let abiHeaders = Paths.packageRoot.appendingPathComponent("Sources/CTriggerABI").path

    /// The one-line arguments every tiny MNIST training run shares.
    static func train(
        out: String, models: Int, epochs: Int, workers: Int, seed: UInt64 = 1,
        extra: [String] = []
    ) -> [String] {
        [
            "train", "--dataset", "mnist", "--wm_shape", "onepixel", "--sigma", "0.12",
            "--N_m", String(models), "--epochs", String(epochs), "--workers", String(workers),
            "--seed", String(seed), "--data", Paths.mnistCSV.path, "--out", out,
        ] + extra
    }
}

/// `manifest.json` of a written model set, read as plain JSON so a renamed key fails loudly.
struct Manifest {
    let object: [String: Any]
    let path: String

    init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("manifest.json")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError("\(path) is not a JSON object")
        }
        self.object = object
    }

    /// The value at a dotted path, e.g. "accuracy.smoothed_clean_accuracy".
    func value(_ keyPath: String) -> Any? {
        var current: Any? = object
        for key in keyPath.split(separator: ".") {
            current = (current as? [String: Any])?[String(key)]
        }
        return current
    }

    func number(_ keyPath: String) -> Double? { (value(keyPath) as? NSNumber)?.doubleValue }

    var models: [[String: Any]] { (object["models"] as? [[String: Any]]) ?? [] }

    var sha256s: [String] { models.map { ($0["sha256"] as? String) ?? "<missing sha256>" } }

    /// Noise seeds as text: JSON may hold them as numbers or (past 2^53) as strings.
    var noiseSeeds: [String] {
        models.map { model in
            switch model["noise_seed"] {
            case let n as NSNumber: return n.stringValue
            case let s as String: return s
            default: return "<missing noise_seed>"
            }
        }
    }

    /// The weights file of model `m` as the manifest names it (falls back to model_%04d.safetensors).
    func file(_ m: Int) -> String {
        (models[m]["file"] as? String) ?? (models[m]["path"] as? String) ?? String(format: "model_%04d.safetensors", m)
    }
}

/// LeCun IDX files, written by hand for the `--data` folder layout of the paper.
enum IDX {
    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    /// `count` 28x28 images: a vertical bar for label 1, a ring for label 0, noise otherwise.
    static func images(labels: [UInt8], magic: UInt32 = 0x0000_0803) -> Data {
        var bytes = be32(magic) + be32(UInt32(labels.count)) + be32(28) + be32(28)
        for (k, label) in labels.enumerated() {
            for r in 0..<28 {
                for c in 0..<28 {
                    let value: UInt8
                    switch label {
                    case 1: value = (13...15).contains(c) && (4...23).contains(r) ? 255 : 0
                    case 0:
                        let d = (r - 14) * (r - 14) + (c - 14) * (c - 14)
                        value = (36...81).contains(d) ? 255 : 0
                    default: value = UInt8(truncatingIfNeeded: (r * 28 + c) &* 31 &+ k)
                    }
                    bytes.append(value)
                }
            }
        }
        return Data(bytes)
    }

    static func labels(_ labels: [UInt8], magic: UInt32 = 0x0000_0801) -> Data {
        Data(be32(magic) + be32(UInt32(labels.count)) + labels)
    }

    /// A balanced, well-formed label list of 0s, 1s and a few other digits.
    static func labelList(_ count: Int) -> [UInt8] { (0..<count).map { [0, 1, 0, 1, 7][$0 % 5] } }

    /// Writes `root/MNIST/{train,test}/…-ubyte` and returns (root, the four paths).
    @discardableResult
    static func writeFolder(
        at root: String, trainImages: Data? = nil, trainLabels: Data? = nil,
        testImages: Data? = nil, testLabels: Data? = nil
    )
        throws -> (root: String, trainImages: String, trainLabels: String, testImages: String, testLabels: String)
    {
        let fm = FileManager.default
        let train = (root as NSString).appendingPathComponent("MNIST/train")
        let test = (root as NSString).appendingPathComponent("MNIST/test")
        try fm.createDirectory(atPath: train, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: test, withIntermediateDirectories: true)
        let trainList = labelList(60), testList = labelList(20)
        let paths = (
            (train as NSString).appendingPathComponent("train-images-idx3-ubyte"),
            (train as NSString).appendingPathComponent("train-labels-idx1-ubyte"),
            (test as NSString).appendingPathComponent("t10k-images-idx3-ubyte"),
            (test as NSString).appendingPathComponent("t10k-labels-idx1-ubyte")
        )
        try (trainImages ?? images(labels: trainList)).write(to: URL(fileURLWithPath: paths.0))
        try (trainLabels ?? labels(trainList)).write(to: URL(fileURLWithPath: paths.1))
        try (testImages ?? images(labels: testList)).write(to: URL(fileURLWithPath: paths.2))
        try (testLabels ?? labels(testList)).write(to: URL(fileURLWithPath: paths.3))
        return (root, paths.0, paths.1, paths.2, paths.3)
    }
}

/// C trigger plugins compiled with the system compiler for a test, each in its own folder.
enum TestPlugin {
    /// A plugin named `name` (any shape); with `failMessage`, apply returns 7 and that message.
    static func source(name: String, failMessage: String? = nil, body custom: String? = nil) -> String {
        let body: String
        if let custom {
            body = custom
        } else if let failMessage {
            body = "snprintf(error, size, \"%s\", \"\(failMessage)\");\n    return 7;"
        } else {
            body = "for (uint32_t k = 0; k < c; k++) x[(size_t)k * h * w] += (float)d;\n    return 0;"
        }
        return """
            #include <stdio.h>
            #include "certssb_trigger.h"
            static int supports(uint32_t c, uint32_t h, uint32_t w) { return c >= 1 && h >= 1 && w >= 1; }
            static int apply(float *x, uint32_t c, uint32_t h, uint32_t w, double d, char *error, size_t size) {
                \(body)
            }
            static const struct certssb_trigger_v1 descriptor = {
                CERTSSB_TRIGGER_ABI_VERSION, "\(name)", "0.1", "test plugin \(name)", supports, apply };
            const struct certssb_trigger_v1 *certssb_trigger_entry(void) { return &descriptor; }
            """
    }

    static var compilerAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") }

    static let compilerSkipReason: Comment = "skipped: no C compiler at /usr/bin/cc to build a test plugin"

    /// Compiles `source` into `folder/fileName` with mode 0755 (the folder must be 0755 too).
    @discardableResult
    static func build(_ source: String, into folder: String, fileName: String) throws -> String {
        let sourcePath = (folder as NSString).appendingPathComponent("\(fileName).c")
        let output = (folder as NSString).appendingPathComponent(fileName)
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments = ["-shared", "-fPIC", "-I", TrainPaths.abiHeaders, "-o", output, sourcePath]
        // cc's own temporary files go into the test folder, not straight into /tmp.
        process.environment = ProcessEnvironment.current.merging(["TMPDIR": TemporaryDirectory.processRoot]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        try ProcessEnvironment.withShared { try process.run() }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("cc failed: \(message)") }
        // The source must not sit beside the plugin: keep only the library.
        try? FileManager.default.removeItem(atPath: sourcePath)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: output)
        return output
    }

    /// A fresh folder of mode 0755 (a temporary folder may inherit a looser umask).
    static func folder(in parent: TemporaryDirectory, _ name: String) throws -> String {
        let path = parent.file(name)
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        // The parents must not be writable by others either; the temporary folder is ours.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: parent.path)
        return path
    }
}

extension CLI {
    /// Starts `certssb`, waits until its stderr contains `marker`, then sends `signal` and waits
    /// for the end. Returns the result and whether the marker was seen before the process ended
    /// by itself. A `SpawnedProcess`, so that the signal reaches it.
    static func runInterrupted(
        _ arguments: [String], after marker: String, signal: Int32 = SIGTERM,
        timeout: TimeInterval = 600
    ) throws -> (RunResult, interrupted: Bool) {
        guard let executable = Paths.executable else { throw CLIError("certssb executable not found") }
        let scratch = try TemporaryDirectory("interrupt")
        let outPath = scratch.file("stdout"), errPath = scratch.file("stderr")
        let child = try SpawnedProcess(executable, arguments, stdout: outPath, stderr: errPath)

        let deadline = Date().addingTimeInterval(timeout)
        var interrupted = false, timedOut = false
        while child.isRunning {
            if !interrupted, let err = try? String(contentsOfFile: errPath, encoding: .utf8), err.contains(marker) {
                interrupted = true
                child.send(signal)
            } else if Date() > deadline {
                timedOut = true
                child.send(SIGKILL)
            }
            usleep(20_000)
        }
        let result = RunResult(
            arguments: arguments, status: child.code,
            reason: child.signalled ? .uncaughtSignal : .exit, timedOut: timedOut,
            stdout: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(),
            stderr: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data())
        return (result, interrupted)
    }
}
