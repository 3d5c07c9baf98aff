import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only, private memory map of a whole file. Weights stay in the page cache and are
/// shared by every process that maps them; nothing is copied at load.
///
/// `@unchecked Sendable`: immutable after init, and the mapping is `PROT_READ`: any thread may read
/// `bytes`.
public final class MappedFile: @unchecked Sendable {
    /// The mapped file's path (for error messages).
    public let path: String
    /// The whole file, mapped read-only; valid while this object lives.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the whole regular file at `path`. Throws `ModelSetError.inFile` when it cannot be
    /// opened, is not a regular file, is empty, or mmap fails.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ModelSetError.inFile(path, underlying: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ModelSetError.inFile(path, underlying: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ModelSetError.inFile(path, underlying: "not a regular file") }
        let size = Int(st.st_size)
        guard size > 0 else { throw ModelSetError.inFile(path, underlying: "file is empty"); }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ModelSetError.inFile(path, underlying: "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
