import CertCore
import CertMath
import Certify
import Foundation

/// What the certifying models and the trigger plugins can hand the certificate: any logits
/// (NaN, infinities, huge values), any plugin output (nil, the wrong length, NaN). The path is
/// `Certifier`'s: `EnsembleScores`, the finite check, `Certificate.compute` at the searched
/// label, the betting bound's early stopping and the sigma search's prediction; then the
/// trigger reports on a real (random) model set. None may trap, and a certificate from finite
/// scores is finite, says `certified` exactly when its radius is positive, and keeps the label.
enum CertifyFuzz {
    static func run(_ bytes: [UInt8]) {
        var input = FuzzBytes(bytes)
        let bound = BoundKind.allCases[Int(input.byte()) % BoundKind.allCases.count]
        let shape = input.byte()
        let classes = 2 + Int(shape & 0x7F) % 9
        let outputs = classes == 2 && shape & 0x80 != 0 ? 1 : classes  // one sigmoid logit or a softmax
        let models = 1 + Int(input.byte()) % 64
        let label = Int(input.byte()) % classes
        let alpha = unit(input.double(), otherwise: 0.001)
        let sigma = unit(input.double(), otherwise: 0.5) * 4
        let reports = input.byte() & 1 == 1
        let logits = (0..<(models * outputs)).map { _ in input.float() }

        let scores = EnsembleScores(logits: logits, outputs: outputs, classes: classes)
        if logits.allSatisfy(\.isFinite) != scores.finite { violated("finite is \(scores.finite) for \(logits)") }
        if scores.finite {
            guard scores.votes.reduce(0, +) == models else { violated("\(scores.votes) votes for \(models) models") }
            let c = Certificate.compute(
                CertificateInput(
                    meanScores: scores.meanScores, votes: scores.votes, sigma: sigma, alpha: alpha, bound: bound,
                    label: label, modelScores: scores.modelScores))
            check(c, label: label, models: models)
            stopEarly(scores, label: label, classes: classes, alpha: alpha, sigma: sigma)
            let sample = stride(from: label, to: scores.modelScores.count, by: classes).map { scores.modelScores[$0] }
            let predicted = Certificate.predictedLowerBound(bound, sample: sample, n: models, alpha: alpha)
            guard !predicted.isNaN else { violated("predicted lower bound is NaN") }
        }
        if reports { triggerReports(&input) }
    }

    /// A fuzzed double folded into (0, 1], or `otherwise` when it is not a usable number.
    private static func unit(_ x: Double, otherwise: Double) -> Double {
        guard x.isFinite, x != 0 else { return otherwise }
        let f = abs(x).truncatingRemainder(dividingBy: 1)
        return f > 0 ? f : otherwise
    }

    private static func check(_ c: Certificate, label: Int, models: Int) {
        let numbers = [c.pA, c.pB, c.pALower, c.pBUpper, c.margin, c.radius, c.marginExpected, c.radiusExpected]
        guard numbers.allSatisfy(\.isFinite) else { violated("non-finite certificate from finite scores: \(c)") }
        guard c.label == label else { violated("label \(c.label), \(label) was fixed") }
        guard c.certified == (c.radius > 0) else { violated("certified \(c.certified) at radius \(c.radius)") }
        guard (0...1).contains(c.pALower), (0...1).contains(c.pBUpper) else { violated("bounds outside [0, 1]: \(c)") }
        guard c.nModels == models else { violated("n_models \(c.nModels), \(models) ran") }
    }

    private static func stopEarly(_ scores: EnsembleScores, label: Int, classes: Int, alpha: Double, sigma: Double) {
        var stopping = EarlyStopping(alpha: alpha, threshold: EarlyStopping.threshold(targetRadius: sigma, sigma: sigma))
        for m in 0..<(scores.modelScores.count / classes) {
            stopping.observe(scores.modelScores[m * classes + label])
            if stopping.decided { break }
        }
        guard !stopping.upper.isNaN, !stopping.lower.lower.isNaN else { violated("early stopping bound is NaN") }
    }

    // MARK: Trigger reports

    /// A random 3-model MNIST set, its certifier, and one verdict to report triggers against.
    private static let fixture: (certifier: Certifier, request: CertificationRequest, verdict: Verdict) = {
        let directory = FuzzScratch.file("random-set")
        do {
            if !FileManager.default.fileExists(atPath: directory) {
                try RandomModelSet.write(directory: directory, architecture: .mnistCNN, count: 3, seed: 1)
            }
            let certifier = Certifier(modelSet: try ModelSet.load(directory: directory), workers: 1)
            let request = CertificationRequest(
                pixels: (0..<784).map { Float($0 % 29) / 28 }, sha256: String(repeating: "0", count: 64), source: "fuzz")
            return (certifier, request, try certifier.certifyAll([request])[0])
        } catch {
            violated("cannot build the certify fixture: \(error)")
        }
    }()

    private static func triggerReports(_ input: inout FuzzBytes) {
        let (certifier, request, verdict) = fixture
        var outputs: [[Float]?] = []
        for _ in 0..<(1 + Int(input.byte()) % 3) {
            let kind = input.byte()
            switch kind % 4 {
            case 0: outputs.append(nil)  // the plugin does not apply
            case 1: outputs.append((0..<Int(input.byte())).map { _ in input.float() })  // a wrong length
            case 2:
                // A few pixels changed to any float (NaN, infinities, out of range).
                var pixels = request.pixels
                for _ in 0..<(1 + Int(input.byte()) % 8) { pixels[Int(input.uint32() % 784)] = input.float() }
                outputs.append(pixels)
            default:
                outputs.append(request.pixels.map { min(1, $0 + Float(kind) / 255) })
            }
        }
        let perturbations = outputs.enumerated().map { k, output in Perturbation(name: "p\(k)") { _ in output } }
        _ = certifier.largestTriggerSize([request], perturbations: perturbations)
        switch certifier.triggerReports([request], [verdict], perturbations: perturbations)[0] {
        case .success(let reports):
            for r in reports {
                guard r.l2.isFinite, (0..<2).contains(r.label) else { violated("trigger report \(r)") }
                guard r.covered == (verdict.radius > r.l2) else { violated("covered is \(r.covered) for \(r)") }
            }
        case .failure(let error):
            guard !error.isInputError else { violated("a plugin's output blamed on the input: \(error)") }
        }
    }
}
