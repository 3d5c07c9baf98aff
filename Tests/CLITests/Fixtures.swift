import CertCore
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

/// Everything under one temporary folder per test process, removed at exit.
enum FixtureRoot {
    private static let directory: TemporaryDirectory = {
        let directory = try! TemporaryDirectory("clitests")
        // A static is never deinitialised.
        atexit { FixtureRoot.directory.remove() }
        return directory
    }()

    static var url: URL { directory.url }
}

/// `reference_logits.json`: the authors' clean logits on rows of mnist_5k.
struct ReferenceLogits: Decodable {
    struct Model: Decodable {
        var sha256: String
        var seed_mod_2_32: UInt64
        var logits: [Double]
    }
    var rows: [Int]
    var models: [String: Model]

    func model(_ k: Int) -> Model? { models["smoothed_\(k).model"] }

    static func load() throws -> ReferenceLogits {
        try JSONDecoder().decode(ReferenceLogits.self, from: Data(contentsOf: Paths.referenceLogits))
    }
}

/// An image written by `certssb export-images`.
struct ExportedImage {
    var path: String
    var row: Int
    var label: Int
}

/// The 16 authors' checkpoints imported once per test process, and the PNGs of the
/// reference rows plus a few more digits, exported once.
///
/// `@unchecked Sendable`: immutable after init (only `let`s), made once by `result` and shared
/// read-only.
final class MNISTFixture: @unchecked Sendable {
    static let referenceCount = 16
    /// More digits beyond the reference rows: 0s (rows 0–499), 1s (500–999), a 2 and a 7.
    static let extraRows = [4, 5, 6, 504, 505, 506, 1000, 3500]

    let modelSet: String
    let importRun: RunResult
    let reference: ReferenceLogits
    /// In the order of `reference.rows`.
    let referenceImages: [ExportedImage]
    let extraImages: [ExportedImage]
    var allImages: [ExportedImage] { referenceImages + extraImages }

    private static let result: Result<MNISTFixture, Error> = Result { try MNISTFixture() }

    /// Throws (with the CLI's output) when the import or the export failed.
    static func get() throws -> MNISTFixture { try result.get() }

    private init() throws {
        reference = try ReferenceLogits.load()
        let root = FixtureRoot.url.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        modelSet = root.appendingPathComponent("model-set").path
        importRun = try CLI.run([
            "import-torch", "--from", Paths.checkpoints.path, "--out", modelSet,
            "--sigma", "0.12", "--trigger", "onepixel", "--arch", "mnist-cnn",
        ])
        guard importRun.exited(0) else { throw CLIError("import-torch failed: \(importRun.summary)") }

        let rows = reference.rows + Self.extraRows
        let pngs = root.appendingPathComponent("png").path
        let export = try CLI.run([
            "export-images", "--csv", Paths.mnistCSV.path,
            "--rows", rows.map(String.init).joined(separator: ","), "--out", pngs,
        ])
        guard export.exited(0) else { throw CLIError("export-images failed: \(export.summary)") }
        let printed = export.stdoutLines
        guard printed.count == rows.count else {
            throw CLIError("export-images printed \(printed.count) paths for \(rows.count) rows: \(export.summary)")
        }
        var images: [ExportedImage] = []
        for (row, path) in zip(rows, printed) {
            let name = (path as NSString).lastPathComponent
            // row%04d-label%d.png
            guard name.hasPrefix(String(format: "row%04d-label", row)), name.hasSuffix(".png"),
                let label = Int(name.dropFirst(13).dropLast(4)),
                FileManager.default.isReadableFile(atPath: path)
            else { throw CLIError("export-images printed an unexpected path '\(path)' for row \(row)") }
            images.append(ExportedImage(path: path, row: row, label: label))
        }
        referenceImages = Array(images.prefix(reference.rows.count))
        extraImages = Array(images.dropFirst(reference.rows.count))
    }
}

/// A small random MNIST-CNN model set and a good digit, for the error paths: they need a
/// model set but not the authors' checkpoints, so they run without ../shared too.
enum RandomSetFixture {
    static func get() throws -> String { try TestModelSets.random(count: 3) }

    /// A valid 1x28x28 greyscale PNG (a synthetic digit), written once.
    static let goodPNG: Result<String, Error> = Result {
        let path = FixtureRoot.url.appendingPathComponent("good-28x28.png").path
        try Data(SyntheticImages.digitPNGs(1)[0]).write(to: URL(fileURLWithPath: path))
        return path
    }
}
