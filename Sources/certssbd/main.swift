import CertDaemon
import Foundation

// certssbd: wiring only. `certssbd --config FILE [--model-set DIR] [--watch DIR] [--socket PATH]
// [--state DIR] [--plugin-dir DIR] [--workers N] [--KEY VALUE for any config key]`.
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    let (configPath, overrides) = try DaemonArguments.parse(arguments)
    if overrides["help"] != nil {
        print(DaemonArguments.usage)
        exit(0)
    }
    let daemon = try Daemon(configPath: configPath, overrides: overrides)
    let done = DispatchSemaphore(value: 0)
    var failure: Error?
    Task {
        do { try await daemon.run() } catch { failure = error }
        done.signal()
    }
    done.wait()
    if let failure {
        FileHandle.standardError.write(Data("certssbd: \(failure)\n".utf8))
        exit(1)
    }
    exit(0)
} catch {
    FileHandle.standardError.write(Data("certssbd: \(error)\n".utf8))
    exit(2)
}
