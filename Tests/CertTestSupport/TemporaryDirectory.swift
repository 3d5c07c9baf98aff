import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory under /tmp, removed with everything in it when the value goes away
/// (or at `remove()`). The path is short on purpose: sockets inside it must fit in sun_path
/// (108 bytes).
public final class TemporaryDirectory: @unchecked Sendable {
    /// The one folder of this test process directly in /tmp; every directory is made inside
    /// it, and it goes at exit. So /tmp itself changes twice per run, not at every test:
    /// systemd-sandbox lists /tmp as a sandbox goes up and down, and an entry that vanishes
    /// under that listing makes it fail.
    public static let processRoot: String = {
        var template = Array("/tmp/certssb-tests-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp /tmp/certssb-tests-XXXXXX: \(String(cString: strerror(errno)))") }
        let path = String(cString: made)
        chmod(path, 0o755)
        atexit { try? FileManager.default.removeItem(atPath: TemporaryDirectory.processRoot) }
        return path
    }()

    /// The directory, created (mode 0755) by the initialiser.
    public let path: String
    public var url: URL { URL(fileURLWithPath: path) }

    /// `label` only makes the name readable in /tmp; uniqueness comes from mkdtemp.
    public init(_ label: String = "test") throws {
        let pattern = Self.processRoot + "/\(label)-XXXXXX"
        var template = Array(pattern.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TestSupportError("mkdtemp \(pattern): \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
        // mkdtemp makes 0700; the folders the tests used before were 0755 (a daemon under a
        // sandbox user reads copies of what is made here).
        chmod(path, 0o755)
    }

    /// The path of `name` inside the directory (not created).
    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    deinit { remove() }
}

/// A failure of the test support itself (not of the code under test).
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
