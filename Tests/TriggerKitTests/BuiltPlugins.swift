import TriggerKit

/// The three plugins of this package, loaded once from the build folder.
enum BuiltPlugins {
    static let registry = TriggerRegistry.load(directory: TestPaths.buildFolder)

    static func plugin(_ name: String) throws -> TriggerPlugin {
        guard let plugin = registry[name] else {
            throw Missing(description: "no '\(name)' in \(TestPaths.buildFolder); refusals: \(registry.refusals)")
        }
        return plugin
    }

    struct Missing: Error, CustomStringConvertible { var description: String }
}
