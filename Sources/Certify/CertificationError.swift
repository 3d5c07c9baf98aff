/// Why one input got no verdict. The daemon answers 422 for `isInputError`, 500 otherwise;
/// the CLI exits 2; a watch-folder file goes to `failed/` with the description.
public enum CertificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The decoded pixels hold NaN or an infinity.
    case nonFinitePixels(source: String, count: Int)
    /// A model or a trigger plugin produced NaN or an infinity for this input.
    case nonFiniteOutput(source: String, producer: String)

    /// True for `nonFinitePixels`: the input's fault (422), not the models' (500).
    public var isInputError: Bool {
        if case .nonFinitePixels = self { return true }
        return false
    }

    /// Short machine-readable code (the socket's error `code`).
    public var code: String { isInputError ? "non_finite_input" : "non_finite_output" }

    /// One line: the source, then what was not finite.
    public var description: String {
        switch self {
        case let .nonFinitePixels(source, count):
            return "\(source): \(count) pixel value(s) are NaN or infinite"
        case let .nonFiniteOutput(source, producer):
            return "\(source): \(producer) produced NaN or infinite values; no verdict was made"
        }
    }
}
