import ArgumentParser
import CertDaemon
import CertPipeline
import Foundation

/// certssbd: the command line and the wiring; the daemon itself is `CertDaemon.Daemon`.
/// Exit 0 after a drain (or for --help, --version, a good --check-config), 1 when running
/// failed, 2 for a bad command line or configuration.
@main
struct CertSSBD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certssbd",
        abstract: "Certify images as they arrive: a watched folder and a Unix socket (HTTP/1.1).",
        discussion: """
            Reads certssbd.conf (--config) and then any --KEY VALUE on the command line, for every \
            key of that file (kebab or snake case: --sigma-rule search, --bound betting, --max-queue 256). \
            Under systemd it sends READY=1, STATUS= and WATCHDOG=1, and takes its socket from socket \
            activation. SIGHUP or POST /v1/reload reloads; SIGTERM drains and exits 0.
            """,
        version: DaemonService.version)

    @Option(help: ArgumentHelp("certssbd.conf to read before the command-line keys.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The model set (model_set).", valueName: "dir"))
    var modelSet: String?

    @Option(help: ArgumentHelp("The inbox to watch (watch_dir); empty: no folder.", valueName: "dir"))
    var watch: String?

    @Option(help: ArgumentHelp("The Unix socket to serve on (socket).", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Where LMDB stores verdicts, sigmas and regions (state_dir).", valueName: "dir"))
    var state: String?

    @Option(help: ArgumentHelp("Load trigger plugins from this folder only (plugin_dir).", valueName: "dir"))
    var pluginDir: String?

    @Option(help: "BLAS worker threads (workers; 0: one per core).")
    var workers: Int?

    @Flag(
        help:
            "Parse and validate the configuration and the model set's manifest, print the effective configuration, and exit (0, or 2 with the reason)."
    )
    var checkConfig = false

    @Flag(
        help:
            "With the daemon stopped: replay the storage-update from the store's verdicts in arrival order, compare every region and verdict, print the result, and exit (0 consistent, 1 not, 2 for a bad configuration)."
    )
    var checkStore = false

    @Argument(
        parsing: .allUnrecognized, help: ArgumentHelp("Any other config key as --KEY VALUE or --KEY=VALUE.", valueName: "--key value"))
    var keys: [String] = []

    /// The named options and the free --KEY VALUE pairs, as config overrides.
    func overrides() throws -> [String: String] {
        var out = try DaemonArguments.parse(keys).overrides
        let named: [(String, String?)] = [
            ("model_set", modelSet), ("watch_dir", watch), ("socket", socket), ("state_dir", state),
            ("plugin_dir", pluginDir), ("workers", workers.map(String.init)),
        ]
        for case let (key, value?) in named { out[key] = value }
        return out
    }

    mutating func run() async throws {
        let daemon: Daemon
        do {
            let overrides = try overrides()
            if checkConfig {
                print(try Daemon.checkConfiguration(configPath: config, overrides: overrides), terminator: "")
                return
            }
            if checkStore {
                let (report, consistent) = try Daemon.checkStore(configPath: config, overrides: overrides)
                print(report, terminator: "")
                if !consistent { Self.fail("the store disagrees with a replay of its verdicts", code: 1) }
                return
            }
            daemon = try Daemon(configPath: config, overrides: overrides)
        } catch {
            Self.fail("\(error)", code: 2)
        }
        do { try await daemon.run() } catch { Self.fail("\(error)", code: 1) }
    }

    /// Parses with swift-argument-parser, but keeps the daemon's exit codes: 2 (not 64) for a bad
    /// command line, so systemd's `RestartPreventExitStatus=2` still applies.
    static func main() async {
        do {
            // The root is a CertSSBD, or swift-argument-parser's own help command for --help.
            var command = try parseAsRoot()
            if var daemon = command as? CertSSBD { try await daemon.run() } else { try command.run() }
        } catch {
            let code = exitCode(for: error)
            if code == .success { print(fullMessage(for: error)); Foundation.exit(0) }
            fail(fullMessage(for: error), code: 2)
        }
        Foundation.exit(0)
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("certssbd: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
