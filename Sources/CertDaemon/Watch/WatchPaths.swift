import Glibc  // EEXIST

/// Path arithmetic and directory creation for the watch folder.
enum WatchPaths {
    /// Without trailing slashes (but "/" stays "/").
    static func trimmed(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// The folder holding `path`: processed/ and failed/ default to siblings of the inbox.
    static func parent(_ path: String) -> String {
        let p = trimmed(path)
        guard let slash = p.lastIndex(of: "/") else { return "." }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }

    static func lastComponent(_ path: String) -> String {
        let p = trimmed(path)
        guard let slash = p.lastIndex(of: "/") else { return p }
        return String(p[p.index(after: slash)...])
    }

    /// "a.png" → "a-1.png"; the extension stays last so tools still recognise the file.
    static func suffixed(_ name: String, _ n: Int) -> String {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return "\(name[..<dot])-\(n)\(name[dot...])"
        }
        return "\(name)-\(n)"
    }

    /// mkdir -p with mode 0750 for every folder it creates; existing ones are left alone. With
    /// `leafMode`, the last folder gets that mode if this call created it (chmod, so the
    /// service's UMask= cannot narrow it).
    static func makeDirectories(_ path: String, leafMode: mode_t? = nil, syscalls: WatchSyscalls) throws {
        let p = trimmed(path)
        var prefix = p.hasPrefix("/") ? "" : "."
        var createdLeaf = false
        for component in p.split(separator: "/") {
            prefix += "/" + component
            do {
                try syscalls.mkdir(prefix, 0o750)
                createdLeaf = true
            } catch let error as SyscallError where error.errno == EEXIST {
                createdLeaf = false
                continue
            }
        }
        if let leafMode, createdLeaf { try syscalls.chmod(prefix, leafMode) }
    }

    /// The inbox's mode when certssbd creates it: group-writable and setgid (2770), so members
    /// of the service's group can drop files and every file in it belongs to that group.
    static let inboxMode: mode_t = 0o2770
}
