/// Why a model set could not be loaded or written. The description is one line; the
/// loader prefixes it with the file it concerns.
public enum ModelSetError: Error, CustomStringConvertible, Equatable {
    /// The directory or its manifest is not there.
    case missing(String)
    /// A file is malformed (manifest JSON, safetensors header, offsets).
    case corrupt(String)
    /// The contents do not fit what is expected (tensor names or shapes for the architecture).
    case mismatch(String)
    /// `underlying`, prefixed with the file it concerns.
    case inFile(String, underlying: String)

    /// One line, "path: reason" for `inFile`.
    public var description: String {
        switch self {
        case let .missing(s), let .corrupt(s), let .mismatch(s): s
        case let .inFile(path, underlying): "\(path): \(underlying)"
        }
    }
}
