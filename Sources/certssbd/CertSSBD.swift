import CertDaemon
import Foundation

/// certssbd: wiring only. `certssbd --config FILE [--model-set DIR] [--watch DIR] [--socket PATH]
/// [--state DIR] [--plugin-dir DIR] [--workers N] [--KEY VALUE for any config key]`.
/// Exit 0 after a drain, 1 when running failed, 2 for a bad command line or configuration.
@main
struct CertSSBD {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let daemon: Daemon
        do {
            let (configPath, overrides) = try DaemonArguments.parse(arguments)
            if overrides["help"] != nil {
                print(DaemonArguments.usage)
                exit(0)
            }
            daemon = try Daemon(configPath: configPath, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("certssbd: \(error)\n".utf8))
            exit(2)
        }
        do {
            try await daemon.run()
        } catch {
            FileHandle.standardError.write(Data("certssbd: \(error)\n".utf8))
            exit(1)
        }
        exit(0)
    }
}
