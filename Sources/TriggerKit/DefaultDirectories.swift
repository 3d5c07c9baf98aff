import CertShape
import Foundation

extension TriggerRegistry {
    /// Where plugins are looked for, in order: the folder of the running executable (a
    /// `swift build` puts the three plugins beside `certssb`), $CERTSSB_PLUGIN_DIR when set,
    /// /usr/local/lib/certssb/plugins, /usr/lib/certssb/plugins.
    public static func defaultDirectories(executablePath: String) -> [String] {
        var folders = [((executablePath as NSString).resolvingSymlinksInPath as NSString).deletingLastPathComponent]
        if let fromEnvironment = ProcessInfo.processInfo.environment["CERTSSB_PLUGIN_DIR"], !fromEnvironment.isEmpty {
            folders.append(fromEnvironment)
        }
        folders += ["/usr/local/lib/certssb/plugins", "/usr/lib/certssb/plugins"]
        return folders
    }

    /// Loads the first of `defaultDirectories` that exists and holds at least one plugin file
    /// (by name; whether it then loads is not considered, so a broken plugin is reported rather
    /// than silently skipped for a later folder). With none, an empty registry whose
    /// `directory` is nil.
    public static func loadDefault(shape: ImageShape? = nil, executablePath: String = currentExecutablePath()) -> TriggerRegistry {
        for folder in defaultDirectories(executablePath: executablePath) {
            if let files = pluginFiles(in: folder), !files.isEmpty {
                return load(directory: folder, shape: shape)
            }
        }
        return TriggerRegistry(directory: nil, plugins: [], refusals: [])
    }

    /// /proc/self/exe, falling back to argv[0].
    public static func currentExecutablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
