/// A trigger could not be applied: the plugin returned an error, or the call was malformed.
public struct TriggerError: Error, Sendable, CustomStringConvertible {
    /// The plugin's registry name.
    public var plugin: String
    /// The plugin's own message from its error buffer, or the host's reason.
    public var message: String
    /// The plugin's nonzero return code; nil when the host refused the call itself.
    public var code: Int32?

    /// "trigger 'NAME' failed: message (code N)".
    public var description: String {
        "trigger '\(plugin)' failed: \(message)" + (code.map { " (code \($0))" } ?? "")
    }
}
