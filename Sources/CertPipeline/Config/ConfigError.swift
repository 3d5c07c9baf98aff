/// A config problem, located so the operator can fix it: "certssbd.conf:12: …" for the file,
/// "--workers: …" for a command-line override.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where the bad setting came from.
    public enum Location: Equatable, Sendable {
        /// Line `line` of the config file at `path`.
        case file(path: String, line: Int)
        /// The config file itself could not be read.
        case unreadable(path: String)
        /// A command-line override, named as `--key`.
        case option(String)
    }

    /// Where.
    public var location: Location
    /// What is wrong, one line.
    public var message: String

    /// An error at `location`.
    public init(_ location: Location, _ message: String) {
        self.location = location
        self.message = message
    }

    /// "path:line: message", "path: message" or "--option: message".
    public var description: String {
        switch location {
        case .file(let path, let line): return "\(path):\(line): \(message)"
        case .unreadable(let path): return "\(path): \(message)"
        case .option(let name): return "\(name): \(message)"
        }
    }
}

/// A value the key rejected; the parser adds where it came from.
struct InvalidValue: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
