#if canImport(Glibc)
    import Glibc
#endif

/// A shared library opened with dlopen(RTLD_NOW | RTLD_LOCAL). Never closed: code or data
/// from it may be referenced anywhere, and its constructors have already run.
public struct DynamicLibrary: @unchecked Sendable {
    // Sendable: the handle is only passed to dlsym, which glibc makes thread-safe.
    private let handle: UnsafeMutableRawPointer

    /// dlerror's text after a failed call, one line.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// What the dynamic linker said ("cannot open shared object file: …").
        public var description: String
    }

    /// Loads `path`, resolving every symbol now so a missing one fails here, not at a call.
    public init(path: String) throws(LoadError) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(description: dlerror().map { String(cString: $0) } ?? "unknown error")
        }
        self.handle = handle
    }

    /// The address of the exported symbol `name`, or nil when the library lacks it.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, name)
    }
}
