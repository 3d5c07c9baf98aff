#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: which call, on what, and errno. Its description is one line
/// ("call path: strerror") because it ends up in logs, in replies and in failed/*.error.json.
public struct SystemError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The failing call's name as the man page spells it ("open", "renameat2").
    public var call: String
    /// The path it acted on; empty for calls on a descriptor alone.
    public var path: String
    /// The errno the call left.
    public var errno: Int32
    /// Extra words after the reason, when errno alone would not say what to fix.
    public var note: String

    /// An error from its parts; `note` adds words after the reason.
    public init(call: String, path: String = "", errno: Int32, note: String = "") {
        self.call = call
        self.path = path
        self.errno = errno
        self.note = note
    }

    /// The error of the call that just failed: reads the thread's errno.
    public static func last(_ call: String, _ path: String = "") -> SystemError {
        SystemError(call: call, path: path, errno: Glibc.errno)
    }

    /// errno's own words, `strerror(errno)` ("No such file or directory").
    public var reason: String { String(cString: strerror(errno)) }

    /// One line: "call path: reason (note)", without the parts that are empty.
    public var description: String {
        let head = path.isEmpty ? "\(call): \(reason)" : "\(call) \(path): \(reason)"
        return note.isEmpty ? head : "\(head) (\(note))"
    }
}
