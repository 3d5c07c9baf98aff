import CertShape
import Foundation

/// Trigger plugins by name, loaded from one folder. Loading never stops at a bad file: each
/// one is recorded in `refusals` with its path and reason, and the rest still load.
public final class TriggerRegistry: Sendable {
    /// The folder it loaded from; nil when `loadDefault` found no folder with plugin files.
    public let directory: String?
    /// Sorted by name.
    public let plugins: [TriggerPlugin]
    /// In file-name order.
    public let refusals: [PluginRefusal]

    init(directory: String?, plugins: [TriggerPlugin], refusals: [PluginRefusal]) {
        self.directory = directory
        self.plugins = plugins.sorted { $0.name < $1.name }
        self.refusals = refusals
    }

    /// The loaded plugin called `name`, if any.
    public subscript(name: String) -> TriggerPlugin? { plugins.first { $0.name == name } }

    /// True for `libcertssb-trigger-*.so` and `certssb-trigger-*.so`.
    public static func isPluginFileName(_ name: String) -> Bool {
        (name.hasPrefix("libcertssb-trigger-") || name.hasPrefix("certssb-trigger-")) && name.hasSuffix(".so")
    }

    /// The plugin files in `directory`, sorted by name; nil when the folder cannot be read.
    static func pluginFiles(in directory: String) -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.filter(isPluginFileName).sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    /// dlopens every plugin file in `directory` in name order. With `shape`, a plugin that
    /// does not support it is refused. Of two plugins with one name, the first file wins.
    public static func load(directory: String, shape: ImageShape? = nil) -> TriggerRegistry {
        guard let files = pluginFiles(in: directory) else {
            return TriggerRegistry(
                directory: directory, plugins: [],
                refusals: [PluginRefusal(path: directory, reason: "cannot read plugin folder")])
        }
        let folderProblem = writableByOthers(directory, what: "folder \(directory)")
        var plugins: [TriggerPlugin] = [], refusals: [PluginRefusal] = []
        var pathByName: [String: String] = [:]
        for path in files {
            func refuse(_ reason: String) { refusals.append(PluginRefusal(path: path, reason: reason)) }
            if let folderProblem { refuse(folderProblem); continue }
            guard isRegularFile(path) else { refuse("not a regular file"); continue }
            if let problem = writableByOthers(path, what: "file") { refuse(problem); continue }
            switch PluginLoader.open(path) {
            case let .failure(refused):
                refuse(refused.reason)
            case let .success((descriptor, name)):
                if let first = pathByName[name] {
                    refuse("duplicate name '\(name)', already loaded from \(first)")
                    continue
                }
                let plugin = TriggerPlugin(descriptor: descriptor, name: name, path: path)
                if let shape, !plugin.supports(shape: shape) {
                    refuse("plugin '\(name)' does not support shape \(shape)")
                    continue
                }
                pathByName[name] = path
                plugins.append(plugin)
            }
        }
        return TriggerRegistry(directory: directory, plugins: plugins, refusals: refusals)
    }
}
