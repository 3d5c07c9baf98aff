/// Why an input could not be turned into an image. Always one line, because it ends up
/// in `.error.json` sidecars, JSON replies and the journal.
public struct ImageDecodingError: Error, CustomStringConvertible, Equatable {
    /// Where the bytes came from: a path, or a name such as "socket upload".
    public let source: String
    /// What is wrong, in one line.
    public let reason: String

    /// An error; line breaks in either part become spaces.
    public init(source: String, reason: String) {
        self.source = ImageDecodingError.oneLine(source)
        self.reason = ImageDecodingError.oneLine(reason)
    }

    /// "source: reason".
    public var description: String { "\(source): \(reason)" }

    /// Library messages and odd file names may carry line breaks; keep the contract.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}

/// Internal failure without a source; `ImageDecoder` attaches the source.
struct DecodeFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
