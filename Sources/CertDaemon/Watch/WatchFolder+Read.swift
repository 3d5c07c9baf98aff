import Glibc  // O_*, S_IF*, ELOOP constants; the calls go through WatchSyscalls

/// Why an inbox file was not read; it goes to failed/ with this reason.
public struct InboxReadError: Error, Equatable, CustomStringConvertible {
    /// `symlink`, `not_regular`, `too_large` or `unreadable`.
    public var code: String
    /// One line for the log and the `.error.json` sidecar.
    public var message: String
    /// `message`.
    public var description: String { message }
}

extension WatchFolder {
    /// Reads a yielded file through one descriptor: opened once with O_NOFOLLOW (a symlink is
    /// refused, never followed) and O_NONBLOCK (a FIFO cannot hang the reader), checked with
    /// fstat on that same descriptor to be a regular file of at most `maxBytes`, and read from
    /// it with that cap. A name swapped for a symlink after the watcher saw it is therefore
    /// refused, not followed, and a file that grows past the cap while being read is refused.
    public func read(_ path: String, maxBytes: Int) -> Result<[UInt8], InboxReadError> {
        let fd: Int32
        do {
            fd = try syscalls.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0)
        } catch let error as SyscallError where error.errno == ELOOP {
            return .failure(
                InboxReadError(code: "symlink", message: "\(path) is a symbolic link; certssbd does not follow links in its inbox"))
        } catch {
            return .failure(InboxReadError(code: "unreadable", message: "cannot open \(path): \(error)"))
        }
        defer { syscalls.close(fd) }
        let status: FileStatus
        do { status = try syscalls.fstat(fd) } catch {
            return .failure(InboxReadError(code: "unreadable", message: "cannot stat \(path): \(error)"))
        }
        guard status.isRegular else {
            return .failure(InboxReadError(code: "not_regular", message: "\(path) is a \(Self.kind(status.mode)), not a regular file"))
        }
        guard status.size <= Int64(maxBytes) else {
            return .failure(
                InboxReadError(code: "too_large", message: "\(path) has \(status.size) bytes, more than max_upload_bytes (\(maxBytes))"))
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.size) + 1)
        var filled = 0
        do {
            while filled < bytes.count {
                let n = try bytes.withUnsafeMutableBytes { buffer in
                    try syscalls.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                }
                if n == 0 { break }
                filled += n
                if filled > maxBytes {
                    return .failure(
                        InboxReadError(code: "too_large", message: "\(path) grew past max_upload_bytes (\(maxBytes)) while it was read"))
                }
                if filled == bytes.count { bytes += [UInt8](repeating: 0, count: min(maxBytes + 1 - filled, 1 << 20)) }
            }
        } catch {
            return .failure(InboxReadError(code: "unreadable", message: "cannot read \(path): \(error)"))
        }
        return .success(Array(bytes.prefix(filled)))
    }

    static func kind(_ mode: UInt32) -> String {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFIFO): return "FIFO"
        case UInt32(S_IFSOCK): return "socket"
        case UInt32(S_IFCHR): return "character device"
        case UInt32(S_IFBLK): return "block device"
        case UInt32(S_IFDIR): return "directory"
        case UInt32(S_IFLNK): return "symbolic link"
        default: return "special file"
        }
    }
}
