/// A plugin file the registry did not load, and why (one line).
public struct PluginRefusal: Sendable, CustomStringConvertible {
    /// The refused file (or the folder, when it could not be read).
    public var path: String
    /// Why, in one line ("dlopen failed: …", "file is writable by group or others …").
    public var reason: String

    /// "path: reason".
    public var description: String { "\(path): \(reason)" }
}
