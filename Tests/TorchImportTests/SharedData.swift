import Foundation
import Testing

/// The shared fixtures live beside the package (`<package root>/../shared`), never in it.
enum SharedData {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TorchImportTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    static let checkpointDirectory =
        packageRoot
        .appendingPathComponent("../shared/data/certssb-mnist-onepixel-sigma0.12")
        .standardizedFileURL

    static func checkpoint(_ k: Int) -> String {
        checkpointDirectory.appendingPathComponent("smoothed_\(k).model").path
    }

    static var available: Bool {
        (0..<16).allSatisfy { FileManager.default.isReadableFile(atPath: checkpoint($0)) }
    }

    static let skipReason: Comment =
        "skipped: the authors' checkpoints are not at <package root>/../shared/data/certssb-mnist-onepixel-sigma0.12"
}
