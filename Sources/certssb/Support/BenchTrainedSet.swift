import CertBench
import CertCore
import CertData
import CertShape
import Certify
import Foundation
import TriggerKit

/// The trained set of the bench's `_real` and `_target` figures: trained like the shipped
/// default (model/README.md: mnist 0 vs 1 from mnist_5k, onepixel poison at 2%, delta 1,
/// sigma0 1.25, 20 epochs, batch 64, Adam 1e-3, seed 1, F16 weights), only with more models,
/// by `certssb train` itself, once, into the bench cache; and the held-out digits of the
/// same split `certssb eval` certifies.
struct BenchTrainedSet {
    var cache: String
    var models: Int
    var epochs: Int

    /// The shipped set's recipe (model/mnist/onepixel/sigma1.25/manifest.json), N_m aside.
    static let sigma0 = 1.25
    static let trigger = "onepixel"

    var directory: String {
        (cache as NSString).appendingPathComponent(
            "trained-mnist-\(Self.trigger)-sigma\(Self.sigma0)-n\(models)" + (epochs == 20 ? "" : "-e\(epochs)"))
    }

    /// `$CERTSSB_SHARED`, else ../shared, when it exists.
    static var sharedDirectory: String? {
        let shared = ProcessInfo.processInfo.environment["CERTSSB_SHARED"] ?? "../shared"
        return FileManager.default.fileExists(atPath: shared) ? shared : nil
    }

    /// The held-out split's 0/1 digits, `limit` of them evenly spaced (as `eval --limit`),
    /// with their labels; throws when mnist_5k cannot be found.
    static func heldOutDigits(limit: Int) throws -> (requests: [CertificationRequest], labels: [Int], shape: ImageShape) {
        let splits = try DatasetLocator.load(dataset: "mnist", data: nil, sharedDirectory: sharedDirectory)
        let all = try BinaryTask.paper(dataset: "mnist", classes: splits.test.classes).apply(splits.test)
        let n = min(limit, all.count)
        let test = all.subset((0..<n).map { $0 * all.count / n })
        let requests = EngineBench.requests((0..<test.count).map { Array(test.image($0)) }, name: "test")
        return (requests, test.labels, test.shape)
    }

    /// The cached set, trained first when it is missing or unfinished (a manifest with its
    /// measured accuracy is written last; an interrupted run resumes from `.partial`).
    func load(progress: (String) -> Void) throws -> ModelSet {
        if let set = try? ModelSet.load(directory: directory, verifyChecksums: false), set.count == models,
            set.manifest.accuracy != nil
        {
            return set
        }
        progress("training \(models) models like the shipped set into \(directory) (once; resumes if interrupted)...")
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: me)
        process.arguments = [
            "train", "--dataset", "mnist", "--wm_shape", Self.trigger, "--sigma", "\(Self.sigma0)", "--N_m", "\(models)",
            "--search-models", "\(ModelSet.defaultSearchCount(models: models))", "--dtype", "F16", "--epochs", "\(epochs)",
            "--batch-size", "64", "--lr", "0.001", "--seed", "1", "--poison-rate", "0.02", "--delta", "1",
            "--target-label", "0", "--workers", "2", "--out", directory,
        ]
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIFailure("certssb train for the bench's trained set failed") }
        do { return try ModelSet.load(directory: directory, verifyChecksums: false) } catch { throw CLIFailure(error) }
    }

    /// The set's own trigger plugin (manifest `trigger`) as a perturbation: the `triggers`
    /// target of the in-process figures.
    static func ownTrigger(_ set: ModelSet) throws -> Perturbation {
        let shape = set.manifest.inputShape, delta = set.manifest.delta
        guard let plugin = TriggerRegistry.loadDefault(shape: shape)[set.manifest.trigger] else {
            throw CLIFailure("no trigger plugin '\(set.manifest.trigger)' loaded (build the plugins with swift build -c release)")
        }
        return Perturbation(name: plugin.name) { plugin.applied(to: $0, shape: shape, delta: delta) }
    }
}
