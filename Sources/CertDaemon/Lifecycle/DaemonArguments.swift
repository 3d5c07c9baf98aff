import Foundation

/// certssbd's command line: --config FILE, and --KEY VALUE overrides for any config key
/// (kebab or snake case: --model-set, --watch, --socket, --state, --plugin-dir, --workers …).
public enum DaemonArguments {
    static let aliases = ["watch": "watch_dir", "state": "state_dir", "model-set": "model_set", "plugin-dir": "plugin_dir"]

    /// The text `certssbd --help` prints.
    public static let usage = """
        usage: certssbd [--config FILE] [--model-set DIR] [--watch DIR] [--socket PATH] [--state DIR]
                        [--plugin-dir DIR] [--workers N] [--KEY VALUE ...]
        Every key of certssbd.conf can be given as --key value; see etc/certssbd.conf.
        """

    /// `--config FILE` and `--KEY VALUE` (or `--KEY=VALUE`) pairs; `--watch`, `--state`,
    /// `--model-set` and `--plugin-dir` are aliases of their keys, `-h`/`--help` comes back as the
    /// override `help`. Throws `ArgumentError` for a bare argument or a missing value; the keys
    /// themselves are checked later by `DaemonConfig.applying(overrides:)`.
    public static func parse(_ args: [String]) throws -> (config: String?, overrides: [String: String]) {
        var config: String?
        var overrides: [String: String] = [:]
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "-h" || arg == "--help" { overrides["help"] = ""; i += 1; continue }
            guard arg.hasPrefix("--") else { throw ArgumentError(message: "unexpected argument '\(arg)'") }
            var key = String(arg.dropFirst(2)), value: String
            if let eq = key.firstIndex(of: "=") {
                value = String(key[key.index(after: eq)...]); key = String(key[..<eq])
            } else {
                guard i + 1 < args.count else { throw ArgumentError(message: "\(arg) needs a value") }
                value = args[i + 1]; i += 1
            }
            i += 1
            if key == "config" { config = value; continue }
            overrides[aliases[key] ?? key.replacingOccurrences(of: "-", with: "_")] = value
        }
        return (config, overrides)
    }

    /// A malformed command line; `message` (also the description) says what.
    public struct ArgumentError: Error, CustomStringConvertible { public var message: String; public var description: String { message } }
}
