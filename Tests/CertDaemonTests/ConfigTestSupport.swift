import CertTestSupport
import Foundation

/// Paths inside the repository, found from this file so tests run from any directory.
enum ConfigTestSupport {
    static let repositoryRoot: URL = PackagePaths.root

    static func etc(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("etc").appendingPathComponent(name).path
    }
}
