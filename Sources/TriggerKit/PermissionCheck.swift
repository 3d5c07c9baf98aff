import CertSystem

#if canImport(Glibc)
    import Glibc  // S_IWGRP, S_IWOTH
#endif

/// Why `path` must not be trusted, or nil. Anyone who can write a plugin or its folder can
/// run code in every process that loads it, so files and folders owned by anyone but root or
/// this process's own user, or writable by group or others, are refused before dlopen. Only
/// the plugin's own folder is checked, not its parents.
func writableByOthers(_ path: String, what: String) -> String? {
    let info: FileStatus
    do { info = try SystemCall.stat(path) } catch let error as SystemError {
        return "cannot stat \(what): \(error.reason)"
    } catch { return "cannot stat \(what): \(error)" }
    if info.owner != 0 && info.owner != geteuid() {
        return "\(what) is owned by uid \(info.owner), neither root nor this process's user (uid \(geteuid())); run chown root \(path)"
    }
    let mode = mode_t(info.mode) & 0o7777
    guard mode & (S_IWGRP | S_IWOTH) != 0 else { return nil }
    let octal = String(mode, radix: 8)
    return
        "\(what) is writable by group or others (mode \(octal.count < 4 ? String(repeating: "0", count: 4 - octal.count) + octal : octal)); run chmod go-w \(path)"
}

func isRegularFile(_ path: String) -> Bool {
    (try? SystemCall.stat(path).isRegular) == true
}
