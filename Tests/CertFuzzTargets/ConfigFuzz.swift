import CertPipeline

/// `certssbd.conf` as `ConfigParser.load` reads it (UTF-8 text), then the promises of
/// `rendered` and `effectiveValues`: parsed again, or applied as command-line overrides, they
/// give the same configuration back.
enum ConfigFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }  // load refuses it first
        let config: DaemonConfig
        do { config = try ConfigParser.parse(text, path: "fuzz.conf") } catch is ConfigError { return } catch {
            violated("unexpected error type: \(error)")
        }
        let rendered = config.rendered
        let again: DaemonConfig
        do { again = try ConfigParser.parse(rendered, path: "rendered.conf") } catch {
            violated("rendered config does not parse: \(error)\n\(rendered)")
        }
        guard again == config else { violated("rendered config parses to another config:\n\(rendered)") }
        let overrides = Dictionary(config.effectiveValues.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let applied: DaemonConfig
        do { applied = try DaemonConfig().applying(overrides: overrides) } catch {
            violated("the effective values do not apply as overrides: \(error)")
        }
        guard applied == config else { violated("overrides give another config:\n\(rendered)") }
    }
}
