import ArgumentParser
import CertCore
import CertMath
import Certify
import Foundation

/// Options shared by every command that runs a model set.
struct ModelSetOptions: ParsableArguments {
    @Option(name: .long, help: "Model-set directory (manifest.json + safetensors).")
    var modelSet: String

    @Option(name: .long, help: "Worker threads (default: the number of cores). Results do not depend on it.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Skip re-hashing the weights files against the manifest at load.")
    var noVerifyChecksums = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func load() throws -> ModelSet {
        do { return try ModelSet.load(directory: modelSet, verifyChecksums: !noVerifyChecksums) } catch { throw CLIFailure(error) }
    }
}

/// Options of the certificate itself.
struct CertificateOptions: ParsableArguments {
    @Option(help: "Failure probability of each certificate.")
    var alpha: Double = 0.001

    @Option(
        help:
            "Confidence bound: clopper-pearson (hard votes, the default), betting (soft scores, anytime-valid), hoeffding (averaged scores, RAB's), or best (hoeffding and clopper-pearson at alpha/2 each)."
    )
    var bound: BoundKind = CertificationOptions.defaultBound

    @Option(
        name: .customLong("compat"),
        help: "released: noise at sigma0, radius at sigma_x, as the authors' code (for comparing with the paper only).")
    var compat: CertificationMode = .sound

    @Option(
        help:
            "Early stopping: stop each image once certified beyond this L2 radius or unable to reach it; 'triggers' = the largest L2 size of the loaded plugins' perturbations of the image. Needs --bound betting (anytime-valid)."
    )
    var targetRadius: String?

    func validate() throws {
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be in (0, 1)") }
        if let t = targetRadius {
            guard TargetRadius(t) != nil else {
                throw ValidationError("--target-radius must be a non-negative number or 'triggers', got '\(t)'")
            }
            guard bound == .betting else {
                throw ValidationError(
                    "--target-radius needs --bound betting: only the betting bound stays valid when the models stop early")
            }
        }
    }

    var certification: CertificationOptions {
        var o = CertificationOptions(alpha: alpha, bound: bound, mode: compat)
        o.target = targetRadius.flatMap(TargetRadius.init)
        return o
    }
}

extension BoundKind: ExpressibleByArgument {}
extension CertificationMode: ExpressibleByArgument {}
extension Architecture: ExpressibleByArgument {}
