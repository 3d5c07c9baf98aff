/// A plugin file the registry did not load, and why (one line).
public struct PluginRefusal: Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
