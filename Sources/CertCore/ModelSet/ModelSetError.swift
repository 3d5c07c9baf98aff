/// Why a model set could not be loaded or written. The description is one line; the
/// loader prefixes it with the file it concerns.
public enum ModelSetError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case corrupt(String)
    case mismatch(String)
    case inFile(String, underlying: String)

    public var description: String {
        switch self {
        case let .missing(s), let .corrupt(s), let .mismatch(s): s
        case let .inFile(path, underlying): "\(path): \(underlying)"
        }
    }
}
