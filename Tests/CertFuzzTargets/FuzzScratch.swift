import Foundation

/// One folder per process for the targets whose code under test reads files (model sets,
/// checkpoints): created once, reused by every input, removed at exit.
enum FuzzScratch {
    /// The folder, under $TMPDIR (or /tmp).
    static let directory: String = {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let path = "\(base)/certssb-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzScratch.directory) }
        return path
    }()

    /// `name` inside the folder.
    static func file(_ name: String) -> String { "\(directory)/\(name)" }

    /// Writes `bytes` to `name`, replacing it; the path.
    @discardableResult
    static func write(_ bytes: [UInt8], to name: String) -> String {
        let path = file(name)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { violated("cannot write \(path)") }
        return path
    }
}
