/// A named change of an input (a trigger plugin applied to it). Returns nil where it does
/// not apply, and the report then leaves it out.
public struct Perturbation: @unchecked Sendable {
    public let name: String
    public let apply: ([Float]) -> [Float]?

    public init(name: String, apply: @escaping ([Float]) -> [Float]?) {
        self.name = name
        self.apply = apply
    }
}

extension Certifier {
    /// Each verdict's `triggers` (DESIGN 3): per perturbation its L2 size on the image, whether
    /// the radius covers it, and the smoothed label of the perturbed image at the image's own
    /// sigma (no region: the perturbed input is not stored). All perturbed inputs of the batch
    /// go through the ensemble in one pass.
    public func triggerReports(_ requests: [CertificationRequest], _ verdicts: [Verdict],
                               perturbations: [Perturbation]) -> [[TriggerReport]] {
        var perturbed: [(image: Int, name: String, l2: Double, request: CertificationRequest)] = []
        for (i, request) in requests.enumerated() {
            for perturbation in perturbations {
                guard let pixels = perturbation.apply(request.pixels), pixels.count == request.pixels.count else { continue }
                var l2 = 0.0
                for (a, b) in zip(pixels, request.pixels) { l2 += Double(a - b) * Double(a - b) }
                perturbed.append((i, perturbation.name, l2.squareRoot(), CertificationRequest(pixels: pixels, sha256: request.sha256, source: "trigger")))
            }
        }
        guard !perturbed.isEmpty else { return [[TriggerReport]](repeating: [], count: requests.count) }
        let labels = certify(perturbed.map(\.request),
                             sigmas: perturbed.map { verdicts[$0.image].sigmaSearch ?? .fixed(verdicts[$0.image].sigma0) }).map(\.label)
        var reports = [[TriggerReport]](repeating: [], count: requests.count)
        for (p, label) in zip(perturbed, labels) {
            reports[p.image].append(TriggerReport(name: p.name, l2: p.l2, covered: verdicts[p.image].radius > p.l2, label: label))
        }
        return reports
    }
}
