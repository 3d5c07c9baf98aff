import CertSystem
import Foundation

/// Reads `certssbd.conf`: `key = value` lines, `#` comments, blank lines, values bare or in
/// double quotes. Strict on purpose: an unknown key or a bad value stops the daemon at start
/// (or keeps the old config on reload) instead of being ignored.
public enum ConfigParser {
    /// Reads and parses the file at `path`. Throws `ConfigError` with the line of the first
    /// problem, or `.unreadable` (errno's words) when it cannot be read.
    public static func load(path: String) throws -> DaemonConfig {
        let text: String
        do {
            text = try readFile(path)
        } catch let failure as InvalidValue {
            throw ConfigError(.unreadable(path: path), "cannot read: \(failure.reason)")
        }
        return try parse(text, path: path)
    }

    /// Parses config text; `path` only names the file in errors. Throws `ConfigError` for a line
    /// that is not `key = value`, an unknown key (with a guess), a key set twice, or a bad value.
    public static func parse(_ text: String, path: String) throws -> DaemonConfig {
        var config = DaemonConfig()
        var firstLine: [String: Int] = [:]
        // "\r\n" is one Character in Swift, so it must be named to count as a line break.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, raw) in lines.enumerated() {
            let lineNumber = index + 1
            func fail(_ message: String) -> ConfigError { ConfigError(.file(path: path, line: lineNumber), message) }

            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw fail("expected 'key = value', got '\(line)'")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard let entry = ConfigKey.byName[key] else { throw fail(unknownKeyMessage(key)) }
            if let earlier = firstLine[key] { throw fail("'\(key)' is already set on line \(earlier)") }
            firstLine[key] = lineNumber

            do {
                let value = try unquote(line[line.index(after: equals)...])
                try entry.apply(&config, value)
            } catch let invalid as InvalidValue {
                throw fail("\(key): \(invalid.reason)")
            }
        }
        return config
    }

    static func unknownKeyMessage(_ key: String) -> String {
        var message = "unknown key '\(key)'"
        if let guess = closestMatch(to: key, in: ConfigKey.all.map(\.name)) { message += " (did you mean '\(guess)'?)" }
        return message
    }

    /// The value after '=': a quoted string (with \" and \\ escapes) or bare text up to a " #" comment.
    static func unquote(_ text: Substring) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("\"") else {
            // A '#' starts a comment only after whitespace, so "a#b" stays a value.
            if let range = trimmed.range(of: #"\s#"#, options: .regularExpression) {
                return String(trimmed[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            return trimmed
        }
        var value = ""
        var rest = trimmed.dropFirst()
        while let c = rest.first {
            rest = rest.dropFirst()
            switch c {
            case "\"":
                let tail = rest.trimmingCharacters(in: .whitespaces)
                guard tail.isEmpty || tail.hasPrefix("#") else {
                    throw InvalidValue("unexpected text after the closing quote: '\(tail)'")
                }
                return value
            case "\\":
                guard let escaped = rest.first, escaped == "\"" || escaped == "\\" else {
                    throw InvalidValue("only \\\" and \\\\ are escapes inside quotes")
                }
                value.append(escaped)
                rest = rest.dropFirst()
            default:
                value.append(c)
            }
        }
        throw InvalidValue("missing closing quote")
    }

    /// Plain open/read, so the error is errno's own words ("No such file or directory").
    private static func readFile(_ path: String) throws -> String {
        let bytes: [UInt8]
        do { bytes = try SystemCall.readFile(path) } catch let error as SystemError { throw InvalidValue(error.reason) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InvalidValue("not UTF-8 text")
        }
        return text
    }
}

extension DaemonConfig {
    /// Command-line overrides on top of this config, validated like the file. Names may be
    /// spelled "max_batch", "max-batch" or "--max-batch"; errors name the option as "--max-batch".
    public func applying(overrides: [String: String]) throws -> DaemonConfig {
        var config = self
        // Sorted, so the same bad command line always reports the same first error.
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            let bare = name.hasPrefix("--") ? String(name.dropFirst(2)) : name
            let key = bare.replacingOccurrences(of: "-", with: "_")
            let option = "--" + key.replacingOccurrences(of: "_", with: "-")
            guard let entry = ConfigKey.byName[key] else {
                var message = "unknown option"
                if let guess = closestMatch(to: key, in: ConfigKey.all.map(\.name)) {
                    message += " (did you mean '--\(guess.replacingOccurrences(of: "_", with: "-"))'?)"
                }
                throw ConfigError(.option(option), message)
            }
            do {
                try entry.apply(&config, value)
            } catch let invalid as InvalidValue {
                throw ConfigError(.option(option), invalid.reason)
            }
        }
        return config
    }

    /// The config as `certssbd.conf` text, every key set; parsing it gives this config back.
    public var rendered: String {
        ConfigKey.all.map { key in
            let value = key.render(self)
            let needsQuotes = value.isEmpty || value.contains(where: { $0 == "#" || $0 == "\"" || $0.isWhitespace })
            let shown =
                needsQuotes
                ? "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
                : value
            return "\(key.name) = \(shown)\n"
        }.joined()
    }

    /// Every key the file accepts, in documentation order.
    public static var keyNames: [String] { ConfigKey.all.map(\.name) }
}
