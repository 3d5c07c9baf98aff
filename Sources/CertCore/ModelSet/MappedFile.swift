import CertSystem

/// A read-only, private memory map of a whole weights file. Weights stay in the page cache and
/// are shared by every process that maps them; nothing is copied at load.
public final class MappedFile: Sendable {
    /// The file that was mapped.
    public let path: String
    private let map: MemoryMap

    /// The file's bytes, valid while this object lives.
    public var bytes: UnsafeRawBufferPointer { map.bytes }

    /// Maps `path`; throws `ModelSetError.inFile` with the reason (missing, not a regular
    /// file, empty, mmap failure).
    public init(path: String) throws {
        self.path = path
        do { map = try MemoryMap(path: path) } catch let error as SystemError {
            throw ModelSetError.inFile(path, underlying: error.note.isEmpty ? error.reason : error.note)
        }
    }
}
