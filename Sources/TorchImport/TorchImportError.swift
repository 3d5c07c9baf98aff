/// The one error `TorchCheckpoint.load` throws: which file, and why, on one line.
public struct TorchImportError: Error, CustomStringConvertible, Sendable {
    /// The checkpoint file (or folder).
    public let path: String
    /// Why, one line.
    public let reason: String

    /// An error; line breaks in `reason` become spaces.
    public init(path: String, reason: String) {
        self.path = path
        // Keep the description one line even if a reason quotes file contents.
        self.reason = reason.replacingOccurrences(of: "\n", with: " ")
    }

    /// "path: reason".
    public var description: String { "\(path): \(reason)" }
}

/// Internal failure without a path; `TorchCheckpoint.load` adds the path once, at the top.
struct ImportFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
