import CertData
import Foundation

/// The inputs of `certify` and `submit`, as clamdscan takes them: a file as it is, a directory
/// as every regular file under it (recursively, hidden entries skipped, sorted by path so runs
/// are repeatable), `-` as standard input (once). Paths that do not exist stay, so their
/// error line appears in its place.
enum InputPaths {
    /// The standard-input marker.
    static let standardInput = "-"

    static func expand(_ arguments: [String]) -> [String] {
        var out: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if argument != standardInput, FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue
            {
                let found = files(under: argument)
                out += found.isEmpty ? [argument] : found  // an empty one stays, to get its error line
            } else {
                out.append(argument)
            }
        }
        return out
    }

    /// The bytes of an input: standard input for `-`, else the file (an empty directory's
    /// error says so). Errors are `ImageDecodingError`s naming the input.
    static func read(_ path: String) throws -> [UInt8] {
        if path == standardInput { return try ImageDecoder.readStandardInput() }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ImageDecodingError(source: path, reason: "a directory with no files under it")
        }
        return try ImageDecoder.readFile(atPath: path)
    }

    /// Regular files under `directory` (symlinks to files included, not followed into
    /// directories), sorted by their path's bytes.
    static func files(under directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
        else { return [] }
        var found: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            let relative = url.path.dropFirst(root.path.count).drop(while: { $0 == "/" })
            found.append((directory as NSString).appendingPathComponent(String(relative)))
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
