import ArgumentParser
import Foundation

@main
struct CertSSB: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "certssb",
        abstract: "Certify images against backdoor triggers with Cert-SSB (sample-specific randomized smoothing).",
        discussion: """
            Exit status of certify and logits follows clamdscan: 0 all certified (or all done), \
            1 some input not certified, 2 an error.
            """,
        version: version,
        subcommands: [
            CertifyCommand.self, LogitsCommand.self, ImportTorchCommand.self,
            ExportImagesCommand.self, BenchCommand.self, TriggersCommand.self, TrainCommand.self, EvalCommand.self, SigmaCommand.self,
            InvarianceCommand.self,
            StatusCommand.self, GetCommand.self, ListCommand.self, EventsCommand.self, SubmitCommand.self,
        ])

    /// ArgumentParser exits 64 on usage errors; certssb promises 2 for every error.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data("certssb: \(failure.message)\n".utf8))
            Foundation.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == 0 {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data("certssb: \(fullMessage(for: error).split(separator: "\n").first ?? "")\n".utf8))
            Foundation.exit(2)
        }
    }
}
