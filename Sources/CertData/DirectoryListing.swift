import CertSystem

/// Folder contents through POSIX calls (CertData stays free of Foundation). Names are
/// sorted bytewise so every listing, and therefore every label and order, is reproducible.
enum DirectoryListing {
    enum Kind { case file, directory, other }

    static func kind(_ path: String) -> Kind? {
        guard let info = try? SystemCall.stat(path) else { return nil }
        return info.isRegular ? .file : info.isDirectory ? .directory : .other
    }

    /// Visible entries (no leading dot), sorted; throws with the path when unreadable.
    /// Names that are not UTF-8 are skipped (`SystemCall.listDirectory`'s rule).
    static func entries(_ path: String) throws -> [String] {
        let all: [String]
        do { all = try SystemCall.listDirectory(path) } catch let error as SystemError {
            throw DatasetError.file(path: path, problem: FileBytes.failure(error.errno).reason)
        }
        let names = all.filter { !$0.hasPrefix(".") }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Visible regular files under `path`, recursively up to `depth` levels, sorted by
    /// their path relative to `path`.
    static func files(under path: String, depth: Int) throws -> [String] {
        var out: [String] = []
        for name in try entries(path) {
            let full = join(path, name)
            switch kind(full) {
            case .file: out.append(full)
            case .directory where depth > 0: out += try files(under: full, depth: depth - 1)
            default: continue
            }
        }
        return out
    }

    static func subdirectories(_ path: String) throws -> [String] {
        try entries(path).filter { kind(join(path, $0)) == .directory }
    }

    static func join(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }

    static func lastComponent(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}
