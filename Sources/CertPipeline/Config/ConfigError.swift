/// A config problem, located so the operator can fix it: "certssbd.conf:12: …" for the file,
/// "--workers: …" for a command-line override.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Location: Equatable, Sendable {
        case file(path: String, line: Int)
        case unreadable(path: String)
        case option(String)
    }

    public var location: Location
    public var message: String

    public init(_ location: Location, _ message: String) {
        self.location = location
        self.message = message
    }

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
