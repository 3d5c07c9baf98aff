import Glibc

/// Folder contents through POSIX calls (CertData stays free of Foundation). Names are
/// sorted bytewise so every listing, and therefore every label and order, is reproducible.
enum DirectoryListing {
    enum Kind { case file, directory, other }

    static func kind(_ path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Visible entries (no leading dot), sorted; throws with the path when unreadable.
    static func entries(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw DatasetError.file(path: path, problem: FileBytes.failure(errno).reason)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
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
