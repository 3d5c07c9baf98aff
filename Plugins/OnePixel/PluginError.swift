import Glibc

// Each plugin is its own library with no shared Swift target, so this helper is repeated.

/// Copies `message` into the host's error buffer, truncated and always NUL-terminated.
func writeError(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, size: Int) {
    guard let buffer, size > 0 else { return }
    let bytes = Array(message.utf8.prefix(size - 1))
    for (i, byte) in bytes.enumerated() { buffer[i] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
}

/// A C string that lives as long as the process, for the immortal descriptor.
func immortal(_ text: String) -> UnsafePointer<CChar> {
    UnsafePointer(strdup(text)!)
}
