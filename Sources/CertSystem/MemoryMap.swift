#if canImport(Glibc)
    import Glibc
#endif

/// A read-only, private memory map of a whole regular file, unmapped when released. The pages
/// stay in the page cache and are shared by every process that maps the same file.
public final class MemoryMap: @unchecked Sendable {
    // Sendable: the mapping is PROT_READ and `bytes` never changes after init, so any thread
    // may read it; only deinit unmaps, when no reference is left.

    /// The file's bytes, valid for the life of this object.
    public let bytes: UnsafeRawBufferPointer

    /// Maps `path`. Throws `SystemError` when it cannot be opened, is not a regular file
    /// (`note` says so), is empty, or mmap fails.
    public init(path: String) throws {
        let fd = try SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        defer { SystemCall.close(fd) }
        let status = try SystemCall.fstat(fd, path: path)
        guard status.isRegular else { throw SystemError(call: "mmap", path: path, errno: EINVAL, note: "not a regular file") }
        guard status.size > 0 else { throw SystemError(call: "mmap", path: path, errno: EINVAL, note: "file is empty") }
        let size = Int(status.size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SystemError.last("mmap", path)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
