import CertCore
import CertMath
import CertScheduler
import CertSigma
import Foundation

/// How a certificate is made: the total alpha, the bound, the mode, the sigma0 fallback and the
/// early-stopping target. Every field is part of the store's kind (`Certifier.kind`).
public struct CertificationOptions: Sendable, Equatable {
    /// The failure probability of a verdict, total (0.001; `--alpha`).
    public var alpha: Double = 0.001
    /// The confidence bound; Clopper–Pearson unless chosen otherwise (`--bound`).
    public var bound: BoundKind = CertificationOptions.defaultBound
    /// `sound` (noise and radius at the sample's sigma) or `released` (the authors' choice, for
    /// comparison).
    public var mode: CertificationMode = .sound
    /// Sound mode: an input the searched sigma does not certify is certified at sigma0
    /// instead, each candidate's bound at alpha/2 (see `Certifier.certify`).
    public var fallback = true
    /// Early stopping (betting bound only): stop each image once certified beyond this radius
    /// or unable to reach it (`Certifier+EarlyStopping`). nil: every certifying model runs.
    public var target: TargetRadius?

    /// The bound chosen by measurement (README: "Which bound").
    public static let defaultBound: BoundKind = .clopperPearson

    /// Options with the shipped defaults; `target` stays nil (set it afterwards).
    public init(
        alpha: Double = 0.001, bound: BoundKind = CertificationOptions.defaultBound, mode: CertificationMode = .sound,
        fallback: Bool = true
    ) {
        self.alpha = alpha; self.bound = bound; self.mode = mode; self.fallback = fallback
    }
}

/// An image ready to certify: its pixels (CHW in [0,1]), the hash of the bytes it came from
/// and where it came from.
public struct CertificationRequest: Sendable {
    /// Decoded CHW pixels in [0, 1]; non-finite values are refused per request (`nonFinitePixels`).
    public var pixels: [Float]
    /// SHA-256 of the file bytes the pixels came from: the verdict's key in the store.
    public var sha256: String
    /// Where the image came from (a path, or the upload's name), for the verdict and errors.
    public var source: String
    /// A request from its parts.
    public init(pixels: [Float], sha256: String, source: String) {
        self.pixels = pixels; self.sha256 = sha256; self.source = source
    }
}

/// Certifies micro-batches of images: the search models fix each image's label and sigma,
/// then the certifying models (never the search models) run one scheduler pass for the
/// batch, and each image gets the certificate of its fixed label.
///
/// `@unchecked Sendable`: immutable after init (every stored property is a `let`); the scheduler
/// and the search serialise their own work on their pools. `clock` is called from whichever thread
/// certifies, so a caller's clock must be thread-safe (`Date.init` is).
public final class Certifier: @unchecked Sendable {
    /// The whole model set (search and certifying models).
    public let modelSet: ModelSet
    /// The whole set's id: verdicts and stores name the set, not the certifying subset.
    public let modelSetID: String
    /// Which models search and which certify (`ModelSet.roles`).
    public let roles: ModelRoles
    /// Runs the certifying models only.
    public let scheduler: NoiseBatchScheduler
    /// The certificate options.
    public let options: CertificationOptions
    /// The sigma rule and its knobs.
    public let sigmaOptions: SigmaOptions
    /// Label and sigma from the search models; nil when the set has none (one model).
    public let search: SigmaSearch?
    private let clock: () -> Date

    /// `scheduler` must run `Certifier.certifyingEnsemble(modelSet)` (eval shares one between
    /// its RAB and Cert-SSB certifiers).
    public init(
        modelSet: ModelSet, scheduler: NoiseBatchScheduler, options: CertificationOptions = .init(),
        sigma: SigmaOptions = .fixedRule, workers: Int, clock: @escaping () -> Date = Date.init
    ) {
        self.modelSet = modelSet
        modelSetID = modelSet.id
        roles = modelSet.roles
        precondition(scheduler.ensemble.count == roles.certify.count, "the scheduler must run the certifying models")
        self.scheduler = scheduler
        self.options = options
        sigmaOptions = sigma
        // The searched sigma's certificate is computed at alpha/2 when sigma0 is its fallback.
        let searchedAlpha = options.fallback && options.mode == .sound ? options.alpha / 2 : options.alpha
        let target = SearchTarget(bound: options.bound, alpha: searchedAlpha, certifyingModels: roles.certify.count)
        search =
            roles.search.isEmpty
            ? nil : SigmaSearch(modelSet: modelSet, options: sigma, workers: workers, target: target, models: roles.search)
        self.clock = clock
    }

    /// A certifier with its own scheduler over the certifying models on `workers` threads.
    public convenience init(modelSet: ModelSet, workers: Int, options: CertificationOptions = .init(), sigma: SigmaOptions = .fixedRule) {
        self.init(
            modelSet: modelSet, scheduler: NoiseBatchScheduler(ensemble: Self.certifyingEnsemble(modelSet), workers: workers),
            options: options, sigma: sigma, workers: workers)
    }

    /// The ensemble of the set's certifying models.
    public static func certifyingEnsemble(_ modelSet: ModelSet) -> Ensemble {
        Ensemble(modelSet: modelSet.subset(modelSet.roles.certify))
    }

    var sigma0: Double { modelSet.manifest.sigma0 }

    /// Everything that makes two verdicts comparable: a store holds one kind only.
    public var kind: [String: String] {
        var fields = sigmaOptions.identity
        fields["mode"] = options.mode.rawValue
        fields["bound"] = options.bound.rawValue
        fields["alpha"] = "\(options.alpha)"
        fields["fallback"] = options.fallback ? "sigma0 at alpha/2" : "none"
        fields["target_radius"] = options.target?.description ?? "none"
        fields["search_models"] = roles.search.map(String.init).joined(separator: ",")
        return fields
    }

    /// Each image's label and sigma from the search models.
    public func sampleSigmas(_ requests: [CertificationRequest]) -> [SigmaResult] {
        guard let search else {
            return requests.map { _ in
                SigmaResult(
                    sigma: sigma0, sigma0: sigma0, rule: .fixed, steps: 0, draws: 0, models: 0,
                    seed: 0, radiusEstimate: .nan, stop: .noSearchModels)
            }
        }
        return search.sigmas(for: requests.map(\.pixels))
    }

    /// One result per request, in order: a verdict, or why there is none (non-finite pixels,
    /// or a model that produced non-finite output).
    ///
    /// `targets` are the early-stopping target radii per request (`options.target`; for
    /// `.triggers` the caller passes each image's largest trigger L2 size). Without a target
    /// every certifying model runs.
    ///
    /// `reporting` fills each verdict's `triggers` (CONTRACTS.md §3): every perturbation's L2
    /// size, whether the radius covers it, and the smoothed label of the perturbed image at the
    /// image's sigma, over the same certifying models as the image's certificate. The perturbed
    /// copies ride in the image's own scheduler passes (tiles hold up to 16 inputs, so the
    /// weights are read once for the image and its copies) and stop with it. A plugin output or a
    /// model output on it that is not finite fails that image (a 500 in the daemon), never the
    /// process.
    public func certify(
        _ requests: [CertificationRequest], targets given: [Double?]? = nil, reporting perturbations: [Perturbation] = []
    ) -> [Result<Verdict, CertificationError>] {
        // A numeric target needs no plugins; `.triggers` without `given` runs every model.
        let targets = given ?? self.targets(requests, perturbations: [])
        var results = [Result<Verdict, CertificationError>?](repeating: nil, count: requests.count)
        for (i, r) in requests.enumerated() {
            let bad = r.pixels.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
            if bad > 0 { results[i] = .failure(.nonFinitePixels(source: r.source, count: bad)) }
        }
        var companions = [[PerturbedCopy]](repeating: [], count: requests.count)
        for i in requests.indices where results[i] == nil {
            switch Self.perturbedCopies(of: requests[i], perturbations) {
            case let .success(copies): companions[i] = copies
            case let .failure(e): results[i] = .failure(e)
            }
        }
        let todo = requests.indices.filter { results[$0] == nil }
        let searched = sampleSigmas(todo.map { requests[$0] })
        let createdAt = ISO8601DateFormatter().string(from: clock())
        // Two candidate sigmas, both fixed before any certifying model runs: the searched one,
        // then sigma0 for an input it does not certify. Each bound then holds at alpha/2, so
        // both hold together with probability at least 1 - alpha (union bound), and the
        // reported one is valid whichever is reported. One candidate (sigma0 itself, the
        // released mode, or fallback off): alpha.
        let twoCandidates = todo.indices.map { j in
            options.fallback && options.mode == .sound && searched[j].sigma != sigma0
        }
        let first = certificates(
            todo.map { requests[$0] }, searched.map(\.sigma), searched,
            alphas: twoCandidates.map { options.alpha / ($0 ? 2 : 1) }, targets: todo.map { targets[$0] },
            companions: todo.map { companions[$0] })
        let retry = todo.indices.filter { j in
            twoCandidates[j] && (try? first[j].get()).map { !$0.certificate.certified } == true
        }
        let second = certificates(
            retry.map { requests[todo[$0]] }, retry.map { _ in sigma0 }, retry.map { searched[$0] },
            alphas: retry.map { _ in options.alpha / 2 }, targets: retry.map { targets[todo[$0]] },
            companions: retry.map { companions[todo[$0]] })
        var chosen = first
        for (k, j) in retry.enumerated() where (try? second[k].get())?.certificate.certified == true { chosen[j] = second[k] }
        let classes = modelSet.manifest.classes
        for (j, i) in todo.enumerated() {
            switch chosen[j] {
            case let .failure(e):
                results[i] = .failure(e)
            case let .success(r):
                let c = r.certificate
                results[i] = .success(
                    Verdict(
                        sha256: requests[i].sha256, modelSet: modelSetID, label: c.label, labelName: classes[c.label],
                        certified: c.certified, abstained: !c.certified, radius: c.radius, radiusExpected: c.radiusExpected,
                        margin: c.margin, marginExpected: c.marginExpected, sigma: r.sigma, sigma0: sigma0,
                        pA: c.pA, pB: c.pB, pALower: c.pALower, pBUpper: c.pBUpper, scores: r.scores.meanScores, votes: r.scores.votes,
                        nModels: c.nModels, targetRadius: targets[i], stoppedEarly: c.nModels < scheduler.ensemble.count,
                        alpha: options.alpha, boundAlpha: c.alpha, fallback: r.sigma != searched[j].sigma,
                        bound: c.bound, mode: options.mode, region: .unstored, triggers: r.reports, source: requests[i].source,
                        createdAt: createdAt, sigmaSearch: searched[j]))
            }
        }
        return results.map { $0! }
    }

    /// One request's certificate at one sigma, with its scores and trigger reports.
    typealias SigmaCertificate = (certificate: Certificate, scores: EnsembleScores, sigma: Double, reports: [TriggerReport])

    /// The certifying models' scores and the certificate of the searched label, per request,
    /// at `sigmas` (the noise at sigma0 in released mode), and the reports of its companions
    /// (perturbed copies run in the same passes, over the same models).
    private func certificates(
        _ requests: [CertificationRequest], _ sigmas: [Double], _ searched: [SigmaResult],
        alphas: [Double], targets: [Double?], companions: [[PerturbedCopy]]
    ) -> [Result<SigmaCertificate, CertificationError>] {
        guard !requests.isEmpty else { return [] }
        let scales = sigmas.map { Float(options.mode == .sound ? $0 : sigma0) }
        let ensemble = scheduler.ensemble
        let prepared = requests.map { ensemble.prepare($0.pixels) }
        let riders = companions.map { $0.map { ensemble.prepare($0.pixels) } }
        // Early stopping needs the anytime-valid bound; `options.target` is refused otherwise.
        let (logits, riderLogits) =
            options.bound == .betting && targets.contains(where: { $0 != nil })
            ? logitsStoppingEarly(
                prepared, scales: scales, sigmas: sigmas, labels: searched.map(\.label), targets: targets,
                alphas: alphas, companions: riders)
            : logitsOfAllModels(prepared, scales: scales, companions: riders)
        let classes = modelSet.manifest.classes.count
        return requests.indices.map { j in
            let scores = EnsembleScores(logits: logits[j], outputs: ensemble.outputs, classes: classes)
            guard scores.finite, sigmas[j].isFinite else {
                return .failure(.nonFiniteOutput(source: requests[j].source, producer: "a certifying model"))
            }
            let c = Certificate.compute(
                CertificateInput(
                    meanScores: scores.meanScores, votes: scores.votes, sigma: sigmas[j], alpha: alphas[j],
                    bound: options.bound, label: searched[j].label, modelScores: scores.modelScores))
            var reports: [TriggerReport] = []
            for (copy, row) in zip(companions[j], riderLogits[j]) {
                let s = EnsembleScores(logits: row, outputs: ensemble.outputs, classes: classes)
                guard s.finite else {
                    return .failure(
                        .nonFiniteOutput(source: requests[j].source, producer: "a certifying model (on the '\(copy.name)' input)"))
                }
                reports.append(
                    TriggerReport(name: copy.name, l2: copy.l2, covered: c.radius > copy.l2, label: ClassScores.top(s.meanScores)))
            }
            return .success((c, scores, sigmas[j], reports))
        }
    }

    /// Every certifying model on the images and their companions, in one scheduler pass.
    private func logitsOfAllModels(
        _ prepared: [PreparedImage], scales: [Float], companions: [[PreparedImage]]
    ) -> (images: [[Float]], companions: [[[Float]]]) {
        var inputs = prepared, inputScales = scales
        for (j, riders) in companions.enumerated() {
            inputs += riders
            inputScales += riders.map { _ in scales[j] }
        }
        let rows = scheduler.logits(images: inputs, scales: inputScales)
        var next = prepared.count
        let riderRows = companions.map { riders -> [[Float]] in
            defer { next += riders.count }
            return Array(rows[next..<(next + riders.count)])
        }
        return (Array(rows[0..<prepared.count]), riderRows)
    }

    /// `certify` for callers that stop at the first error (eval, training's report, bench).
    public func certifyAll(_ requests: [CertificationRequest]) throws -> [Verdict] {
        try certify(requests).map { try $0.get() }
    }

    /// The smoothed label of each image at its own sigma: the certifying models' top mean
    /// score (no bound, no search). nil where an output was not finite.
    public func smoothedLabels(_ pixels: [[Float]], sigmas: [Double]) -> [Int?] {
        let ensemble = scheduler.ensemble
        let scales = sigmas.map { Float(options.mode == .sound ? $0 : sigma0) }
        let logits = scheduler.logits(images: pixels.map(ensemble.prepare), scales: scales)
        return logits.map { row in
            let scores = EnsembleScores(logits: row, outputs: ensemble.outputs, classes: modelSet.manifest.classes.count)
            return scores.finite ? ClassScores.top(scores.meanScores) : nil
        }
    }
}

extension SigmaOptions {
    /// sigma0 for every input; the label still comes from the search models (2 draws each,
    /// the grid rule's label pass).
    public static var fixedRule: SigmaOptions {
        var o = SigmaOptions()
        o.rule = .fixed
        o.draws = 2
        return o
    }
}
