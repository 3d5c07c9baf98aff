import ArgumentParser
import CertCore
import CertSigma
import Certify
import Foundation

struct CertifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certify",
        abstract: "Certify image files: one JSON verdict per line, in input order.",
        discussion: "Exit 0 when every file is certified, 1 when some is not, 2 on any error (a bad file prints an error line and the rest go on).")

    @OptionGroup var models: ModelSetOptions
    @OptionGroup var certificate: CertificateOptions
    @OptionGroup var sigma: SigmaArguments

    @Option(help: "Images certified together (weights are read once per batch).")
    var batchSize = 64

    @Argument(help: "PNG, JPEG, PGM/PPM or .npy files.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let set = try models.load()
        let fallback: SigmaRule = certificate.compat == .released ? .released : .fixed
        let sigmaOptions = sigma.options(fallback: fallback, trigger: set.manifest.trigger)
        let certifier = Certifier(modelSet: set, workers: models.workers, options: certificate.certification,
                                  sigma: sigmaOptions.rule == .fixed ? nil : sigmaOptions)
        var anyError = false, allCertified = true
        for chunk in stride(from: 0, to: files.count, by: batchSize).map({ Array(files[$0..<min($0 + batchSize, files.count)]) }) {
            let loaded = chunk.map { InputFiles.load($0, expecting: set.manifest.inputShape) }
            let requests = loaded.compactMap { try? $0.get() }
            var verdicts = certifier.certify(requests).makeIterator()
            for result in loaded {
                switch result {
                case .success:
                    let verdict = verdicts.next()!
                    allCertified = allCertified && verdict.certified
                    print(verdict.jsonLine())
                case let .failure(error):
                    anyError = true
                    InputFiles.reportError(error)
                }
            }
        }
        if anyError { throw ExitCode(2) }
        if !allCertified { throw ExitCode(1) }
    }
}
