import ArgumentParser
import CertBench
import CertCore
import Foundation

/// `certssb invariance`: checks, under the OpenBLAS kernel this process runs, that logits do
/// not depend on batch composition, tile position or worker count, and that the
/// storage-update's index decides as the brute force (with a digest of its decisions that must
/// be the same under every kernel). Prints one JSON report;
/// exit 0 when every comparison is bit-identical, 1 otherwise. Hidden: it is a test probe
/// (the kernel tests run it once per OPENBLAS_CORETYPE the CPU supports).
struct InvarianceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invariance",
        abstract: "Check that logits are bit-identical for any batch composition, tile position and worker count.",
        shouldDisplay: false)

    @Option(help: "Model set to check (default: 2 random MNIST-CNN models written to a temporary folder).")
    var modelSet: String?

    @Option(help: "Images (seeded uniform pixels, noise scales 0, 0.05, 0.10, ...).")
    var images = 21

    func run() throws {
        var temporary: String?
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let directory: String
        if let modelSet {
            directory = modelSet
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("certssb-invariance-\(UUID().uuidString)").path
            do { try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: 2) } catch { throw CLIFailure(error) }
            temporary = dir
            directory = dir
        }
        let set: ModelSet
        do { set = try ModelSet.load(directory: directory) } catch { throw CLIFailure(error) }
        let n = set.manifest.inputShape.count
        let pixels = (0..<max(1, images)).map { i in
            GaussianNoise(seed: 77, stream: UInt64(i)).draws(count: n).map { min(max(0.5 + 0.25 * $0, 0), 1) }
        }
        let scales = pixels.indices.map { Float($0) * 0.05 }
        var report = BatchInvariance.check(Ensemble(modelSet: set), images: pixels, scales: scales)
        report.storageUpdate = try StorageUpdateInvariance.check()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        if !report.mismatches.isEmpty || report.storageUpdate?.mismatches != 0 { throw ExitCode(1) }
    }
}
