import CertCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Model sets for tests: the shipped one, and small sets of seeded random weights for tests
/// where trained weights are not the point (they load and certify in a fraction of the time).
public enum TestModelSets {
    /// The shipped MNIST set (`model/mnist/onepixel/sigma1.25`).
    public static var shipped: String { PackagePaths.shippedModelSet }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var written: [String: String] = [:]  // guarded by `lock`
    nonisolated(unsafe) private static var root: TemporaryDirectory?  // guarded by `lock`

    /// A random `architecture` set of `count` models with weight seeds `seed ..< seed + count`,
    /// written once per test process and shared: callers must not change it (copy it first,
    /// with `copy(ofRandom:to:)`).
    public static func random(_ architecture: Architecture = .mnistCNN, count: Int = 3, seed: UInt32 = 1) throws -> String {
        try lock.withLock {
            let key = "\(architecture.rawValue)-\(count)-\(seed)"
            if let path = written[key] { return path }
            if root == nil {
                let made = try TemporaryDirectory("model-sets")
                root = made
                // A static is never deinitialised: remove the folder when the process ends.
                atexit { TestModelSets.removeRoot() }
            }
            let path = root!.file(key)
            try RandomModelSet.write(directory: path, architecture: architecture, count: count, seed: seed)
            written[key] = path
            return path
        }
    }

    /// A private copy of a random set at `directory` (which must not exist), for a test that
    /// changes its files or needs its own path.
    @discardableResult
    public static func copy(
        ofRandom architecture: Architecture = .mnistCNN, count: Int = 3, seed: UInt32 = 1,
        to directory: String
    ) throws -> String {
        try FileManager.default.copyItem(atPath: random(architecture, count: count, seed: seed), toPath: directory)
        return directory
    }

    private static func removeRoot() { lock.withLock { root?.remove() } }
}
