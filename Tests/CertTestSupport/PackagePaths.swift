import Foundation

/// Where the package and the data beside it are, found from this file's path so tests run
/// from any folder.
public enum PackagePaths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CertTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    /// `<package root>/../shared`: the authors' checkpoints, mnist_5k and the systemd sandbox.
    /// Only tests that need those look here; everything else runs without it.
    public static let shared: URL = root.appendingPathComponent("../shared").standardizedFileURL

    /// The MNIST model set the repository ships (72 models, one-pixel trigger, sigma 1.25).
    public static let shippedModelSet: String = root.appendingPathComponent("model/mnist/onepixel/sigma1.25").path
}
