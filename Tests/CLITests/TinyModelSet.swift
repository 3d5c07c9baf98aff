import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A second, tiny MNIST model set (2 models, 1 epoch) made by the built `certssb train`:
/// quick in a debug build and a different model set from the shipped one, for tests that
/// swap model sets. Trained once per test process; each caller gets its own copy.
enum TinyModelSet {
    private static let lock = NSLock()
    /// The trained set, kept until the process ends (a temporary folder of its own).
    nonisolated(unsafe) private static var cached: TemporaryFolder?

    /// Writes the set to `directory` (which must not exist yet) and returns `directory`.
    @discardableResult
    static func make(at directory: String) throws -> String {
        let source = try lock.withLock { () throws -> String in
            if let cached { return cached.file("set") }
            let folder = try TemporaryFolder("tiny-model-set")
            let run = try CLI.run(TrainPaths.train(out: folder.file("set"), models: 2, epochs: 1, workers: 2), timeout: 600)
            guard run.exited(0) else { throw CLIError("certssb train failed: \(run.summary)") }
            cached = folder
            // A static is never deinitialised: remove the folder when the test process exits.
            atexit { TinyModelSet.cached.map { try? FileManager.default.removeItem(at: $0.url) } }
            return folder.file("set")
        }
        try FileManager.default.copyItem(atPath: source, toPath: directory)
        return directory
    }
}
