/// A named change of an input (a trigger plugin applied to it). Returns nil where it does
/// not apply, and the report then leaves it out.
///
/// `@unchecked Sendable` because `apply` is a plain closure. Safe as used: every `Perturbation` in
/// the tree wraps `TriggerPlugin.applied`, capturing only the (Sendable) plugin, whose C functions
/// the ABI requires to be thread-safe, and constants. A closure over mutable state would not be
/// safe here.
public struct Perturbation: @unchecked Sendable {
    /// The plugin's name, as the report shows it.
    public let name: String
    /// The perturbed copy of CHW pixels, or nil where it does not apply.
    public let apply: ([Float]) -> [Float]?

    /// A perturbation from its name and function.
    public init(name: String, apply: @escaping ([Float]) -> [Float]?) {
        self.name = name
        self.apply = apply
    }
}

extension Certifier {
    /// The largest L2 size among the perturbations of each image (the `triggers` target of
    /// early stopping); nil where none applies or one is not finite.
    public func largestTriggerSize(_ requests: [CertificationRequest], perturbations: [Perturbation]) -> [Double?] {
        requests.map { request in
            let sizes = perturbations.compactMap { p -> Double? in
                guard let pixels = p.apply(request.pixels), pixels.count == request.pixels.count else { return nil }
                let l2 = Self.distance(pixels, request.pixels)
                return l2.isFinite ? l2 : nil
            }
            return sizes.max()
        }
    }

    /// Each request's early-stopping target under `options.target`.
    public func targets(_ requests: [CertificationRequest], perturbations: [Perturbation]) -> [Double?] {
        switch options.target {
        case nil: return requests.map { _ in nil }
        case let .radius(r)?: return requests.map { _ in r }
        case .triggers?: return largestTriggerSize(requests, perturbations: perturbations)
        }
    }

    /// Each verdict's `triggers` computed after the fact, in a pass of its own over every
    /// certifying model: per perturbation its L2 size on the image, whether the radius covers it
    /// (`radius > l2`), and the smoothed label of the perturbed image at the image's own sigma.
    /// The daemon and the CLI use `certify(_:targets:reporting:)`, which runs the copies in the
    /// certificate's own passes; this separate form is the reference it is tested against (without
    /// early stopping both give the same reports). A plugin whose output holds NaN or an infinity
    /// fails that image, never the process.
    public func triggerReports(
        _ requests: [CertificationRequest], _ verdicts: [Verdict],
        perturbations: [Perturbation]
    ) -> [Result<[TriggerReport], CertificationError>] {
        var failures = [CertificationError?](repeating: nil, count: requests.count)
        var perturbed: [(image: Int, name: String, l2: Double, pixels: [Float])] = []
        for (i, request) in requests.enumerated() {
            switch Self.perturbedCopies(of: request, perturbations) {
            case let .success(copies): perturbed += copies.map { (i, $0.name, $0.l2, $0.pixels) }
            case let .failure(e): failures[i] = e
            }
        }
        let labels = perturbed.isEmpty ? [] : smoothedLabels(perturbed.map(\.pixels), sigmas: perturbed.map { verdicts[$0.image].sigma })
        var reports = [[TriggerReport]](repeating: [], count: requests.count)
        for (p, label) in zip(perturbed, labels) {
            guard let label else {
                failures[p.image] =
                    failures[p.image]
                    ?? .nonFiniteOutput(source: requests[p.image].source, producer: "a certifying model (on the '\(p.name)' input)")
                continue
            }
            reports[p.image].append(TriggerReport(name: p.name, l2: p.l2, covered: verdicts[p.image].radius > p.l2, label: label))
        }
        return requests.indices.map { i in failures[i].map { .failure($0) } ?? .success(reports[i]) }
    }
}

/// One perturbation's copy of an image: the plugin's name, its L2 size, the pixels.
struct PerturbedCopy {
    var name: String
    var l2: Double
    var pixels: [Float]
}

extension Certifier {
    /// The copies of `request` that `perturbations` make (those that apply), or the failure of a
    /// plugin whose output is not finite.
    static func perturbedCopies(of request: CertificationRequest, _ perturbations: [Perturbation]) -> Result<
        [PerturbedCopy], CertificationError
    > {
        var copies: [PerturbedCopy] = []
        for perturbation in perturbations {
            guard let pixels = perturbation.apply(request.pixels), pixels.count == request.pixels.count else { continue }
            let l2 = distance(pixels, request.pixels)
            guard l2.isFinite else {
                return .failure(.nonFiniteOutput(source: request.source, producer: "trigger plugin '\(perturbation.name)'"))
            }
            copies.append(PerturbedCopy(name: perturbation.name, l2: l2, pixels: pixels))
        }
        return .success(copies)
    }

    /// The L2 size of a perturbation: ||a − b|| in float64 (NaN or infinite when a pixel is).
    static func distance(_ a: [Float], _ b: [Float]) -> Double {
        var sum = 0.0
        for (x, y) in zip(a, b) { sum += Double(x - y) * Double(x - y) }
        return sum.squareRoot()
    }
}
