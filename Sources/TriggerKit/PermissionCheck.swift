import Glibc

/// Why `path` must not be trusted, or nil. Anyone who can write a plugin or its folder can
/// run code in every process that loads it, so files and folders writable by group or
/// others are refused before dlopen. Only the plugin's own folder is checked, not its parents.
func writableByOthers(_ path: String, what: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return "cannot stat \(what): \(String(cString: strerror(errno)))" }
    let mode = info.st_mode & 0o7777
    guard mode & (S_IWGRP | S_IWOTH) != 0 else { return nil }
    let octal = String(mode, radix: 8)
    return "\(what) is writable by group or others (mode \(octal.count < 4 ? String(repeating: "0", count: 4 - octal.count) + octal : octal)); run chmod go-w \(path)"
}

func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
}
