import CertCore
import CertMath
import CertScheduler
import CertSigma
import Foundation

public struct CertificationOptions: Sendable, Equatable {
    public var alpha: Double = 0.001
    public var bound: BoundKind = .hoeffding
    public var mode: CertificationMode = .sound
    public init(alpha: Double = 0.001, bound: BoundKind = .hoeffding, mode: CertificationMode = .sound) {
        self.alpha = alpha; self.bound = bound; self.mode = mode
    }
}

/// An image ready to certify: its pixels (CHW in [0,1]), the hash of the bytes it came from
/// and where it came from.
public struct CertificationRequest: Sendable {
    public var pixels: [Float]
    public var sha256: String
    public var source: String
    public init(pixels: [Float], sha256: String, source: String) {
        self.pixels = pixels; self.sha256 = sha256; self.source = source
    }
}

/// Certifies micro-batches of images with the ensemble: noise scale per image, one
/// scheduler pass for the batch, then the certificate of each image.
public final class Certifier: @unchecked Sendable {
    public let modelSet: ModelSet
    public let modelSetID: String
    public let scheduler: NoiseBatchScheduler
    public let options: CertificationOptions
    /// The per-sample sigma search; nil certifies every input at sigma0 (RAB).
    public let sigmaSearch: SigmaSearch?
    private let clock: () -> Date

    public init(modelSet: ModelSet, scheduler: NoiseBatchScheduler, options: CertificationOptions = .init(),
                sigmaSearch: SigmaSearch? = nil, clock: @escaping () -> Date = Date.init) {
        self.modelSet = modelSet
        self.modelSetID = modelSet.id
        self.scheduler = scheduler
        self.options = options
        self.sigmaSearch = sigmaSearch
        self.clock = clock
    }

    public convenience init(modelSet: ModelSet, workers: Int, options: CertificationOptions = .init(), sigma: SigmaOptions? = nil) {
        self.init(modelSet: modelSet, scheduler: NoiseBatchScheduler(ensemble: Ensemble(modelSet: modelSet), workers: workers),
                  options: options, sigmaSearch: sigma.map { SigmaSearch(modelSet: modelSet, options: $0, workers: workers) })
    }

    var sigma0: Double { modelSet.manifest.sigma0 }

    /// Each request's sigma: `known` where given (e.g. read back from a store), else searched.
    public func sampleSigmas(_ requests: [CertificationRequest], known: [SigmaResult?]? = nil) -> [SigmaResult] {
        let known = known ?? Array(repeating: nil, count: requests.count)
        guard let search = sigmaSearch else {
            return known.map { $0 ?? .fixed(sigma0) }
        }
        let missing = requests.indices.filter { known[$0] == nil }
        var found = search.sigmas(for: missing.map { (requests[$0].pixels, requests[$0].sha256) }).makeIterator()
        return requests.indices.map { known[$0] ?? found.next()! }
    }

    public func certify(_ requests: [CertificationRequest], sigmas known: [SigmaResult?]? = nil) -> [Verdict] {
        let searched = sampleSigmas(requests, known: known)
        let sigmas = searched.map(\.sigma)
        // Sound: the noise uses the same sigma as the radius. Released: noise at sigma0.
        let scales = sigmas.map { Float(options.mode == .sound ? $0 : sigma0) }
        let ensemble = scheduler.ensemble
        let logits = scheduler.logits(images: requests.map { ensemble.prepare($0.pixels) }, scales: scales)
        let createdAt = ISO8601DateFormatter().string(from: clock())
        let classes = modelSet.manifest.classes
        return requests.indices.map { i in
            let scores = EnsembleScores(logits: logits[i], outputs: ensemble.outputs, classes: classes.count)
            let c = Certificate.compute(CertificateInput(meanScores: scores.meanScores, votes: scores.votes,
                                                         sigma: sigmas[i], alpha: options.alpha, bound: options.bound))
            return Verdict(
                sha256: requests[i].sha256, modelSet: modelSetID, label: c.label, labelName: classes[c.label],
                certified: c.certified, radius: c.radius, radiusExpected: c.radiusExpected,
                margin: c.margin, marginExpected: c.marginExpected, sigma: sigmas[i], sigma0: sigma0,
                pA: c.pA, pB: c.pB, pALower: c.pALower, pBUpper: c.pBUpper, votes: scores.votes,
                nModels: c.nModels, alpha: options.alpha, bound: c.bound, mode: options.mode,
                region: .unstored, triggers: [], source: requests[i].source, createdAt: createdAt,
                sigmaSearch: searched[i].rule == .fixed ? nil : searched[i])
        }
    }

    /// Clean logits (no noise) of every model, `[image][model * outputs + o]`.
    public func cleanLogits(_ pixels: [[Float]]) -> [[Float]] {
        let ensemble = scheduler.ensemble
        return scheduler.logits(images: pixels.map(ensemble.prepare), scales: pixels.map { _ in 0 })
    }
}
