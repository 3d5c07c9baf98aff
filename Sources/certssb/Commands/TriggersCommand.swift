import ArgumentParser
import CertShape
import Foundation
import TriggerKit

struct TriggersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triggers",
        abstract: "List the trigger plugins that load, and the files that were refused and why.",
        discussion: """
            Without --plugin-dir, the first of these that holds a plugin file is used: the folder of \
            certssb, $CERTSSB_PLUGIN_DIR, /usr/local/lib/certssb/plugins, /usr/lib/certssb/plugins. \
            Exit status: 0 plugins loaded and none refused, 1 some file refused, 2 nothing loaded.
            """)

    @Option(help: "Load plugins from this folder only.")
    var pluginDir: String?

    @Option(help: "Also refuse plugins that do not support this CxHxW shape, e.g. 1x28x28.")
    var shape: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        var wanted: ImageShape?
        if let shape {
            guard let parsed = ImageShape(parsing: shape) else { throw CLIFailure("--shape wants CxHxW, e.g. 1x28x28; got '\(shape)'") }
            wanted = parsed
        }
        let registry =
            pluginDir.map { TriggerRegistry.load(directory: $0, shape: wanted) }
            ?? TriggerRegistry.loadDefault(shape: wanted)
        if json { try printJSON(registry) } else { printText(registry) }
        if registry.plugins.isEmpty { throw ExitCode(2) }
        if !registry.refusals.isEmpty { throw ExitCode(1) }
    }

    /// Which of the paper's three shapes a plugin takes.
    private func standardSupport(_ plugin: TriggerPlugin) -> [String] {
        ImageShape.paperTasks.filter { plugin.supports(shape: $0) }.map(\.description)
    }

    private func printText(_ registry: TriggerRegistry) {
        let searched = TriggerRegistry.defaultDirectories(executablePath: TriggerRegistry.currentExecutablePath())
        print("plugin folder: \(registry.directory ?? "none found (looked in \(searched.joined(separator: ", ")))")")
        for plugin in registry.plugins {
            let shapes = standardSupport(plugin)
            print("\n\(plugin.name) \(plugin.version)")
            print("  path:        \(plugin.path)")
            print("  description: \(plugin.description)")
            print("  shapes:      \(shapes.isEmpty ? "none of the standard shapes" : shapes.joined(separator: ", "))")
        }
        if registry.plugins.isEmpty { print("\nno plugin loaded") }
        if !registry.refusals.isEmpty {
            print("\nrefused:")
            for refusal in registry.refusals { print("  \(refusal)") }
        }
    }

    private func printJSON(_ registry: TriggerRegistry) throws {
        let plugins: [[String: Any]] = registry.plugins.map {
            [
                "name": $0.name, "version": $0.version, "path": $0.path, "description": $0.description,
                "standard_shapes": standardSupport($0),
            ]
        }
        let refusals: [[String: Any]] = registry.refusals.map { ["path": $0.path, "reason": $0.reason] }
        let object: [String: Any] = ["directory": registry.directory ?? NSNull(), "plugins": plugins, "refusals": refusals]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
