import Foundation

/// Where the tests find the package, the shared fixtures and the built plugins.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let shared = (packageRoot as NSString).appendingPathComponent("../shared")
    static let referenceJSON = "\(shared)/data/trigger-reference.json"
    static let mnistCSV = "\(shared)/data/mnist_5k.csv.gz"
    static let abiHeaders = "\(packageRoot)/Sources/CTriggerABI"

    static var hasReference: Bool { FileManager.default.fileExists(atPath: referenceJSON) }
    static var hasMNIST: Bool { FileManager.default.fileExists(atPath: mnistCSV) }

    /// The folder of the test bundle: `swift build` puts the plugin libraries there too.
    static let buildFolder: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = (executable as NSString).deletingLastPathComponent
        // The runner may be a copy inside the .xctest bundle rather than the bundle itself.
        while !folder.isEmpty, folder != "/", (folder as NSString).pathExtension == "xctest" || folder.hasSuffix(".xctest/Contents/MacOS") {
            folder = (folder as NSString).deletingLastPathComponent
        }
        return folder
    }()
}
