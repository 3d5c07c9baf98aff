import CertCore
import CertMath
import CertScheduler
import CertTestSupport
import Foundation
import Testing

@testable import Certify

/// Trigger reports ride in their images' certification passes (`Certifier.certify(reporting:)`).
@Suite(.blockingWork) struct SharedTriggerReportTests {
    static let perturbations = [
        Perturbation(name: "corner") { pixels in
            var p = pixels
            p[0] = 1
            return p
        },
        Perturbation(name: "brighter") { pixels in pixels.map { min($0 + 0.3, 1) } },
        Perturbation(name: "never") { _ in nil },
    ]

    static func certifier(options: CertificationOptions = .init()) throws -> Certifier {
        let directory = try TemporaryDirectory("shared-reports")
        defer { directory.remove() }
        try RandomModelSet.write(directory: directory.path, architecture: .mnistCNN, count: 40, seed: 9, sigma0: 0.3)
        let set = try ModelSet.load(directory: directory.path)
        return Certifier(modelSet: set, workers: 2, options: options, sigma: .fixedRule)
    }

    static func requests(_ n: Int) -> [CertificationRequest] {
        (0..<n).map {
            CertificationRequest(pixels: SyntheticImages.digit(index: $0, seed: 5).pixels, sha256: "\($0)", source: "digit \($0)")
        }
    }

    @Test func reportsShareTheCertificationPassAndEqualASeparatePass() throws {
        let c = try Self.certifier()
        let requests = Self.requests(5)
        let before = c.scheduler.counts
        let verdicts = try c.certify(requests, reporting: Self.perturbations).map { try $0.get() }
        let after = c.scheduler.counts
        // One pass for five images and their ten copies (fixed sigma: no fallback pass).
        #expect(after.passes - before.passes == 1)
        #expect(after.modelRuns - before.modelRuns == 15 * c.scheduler.ensemble.count)
        // The same reports as the separate pass over every model (the engine is batch-invariant,
        // so the labels are equal, not just close).
        let plain = try c.certify(requests).map { try $0.get() }
        let separate = c.triggerReports(requests, plain, perturbations: Self.perturbations).map { try? $0.get() }
        for (v, s) in zip(verdicts, separate) {
            #expect(v.triggers.map(\.name) == ["corner", "brighter"])
            #expect(v.triggers == s)
        }
        #expect(verdicts.map(\.radius) == plain.map(\.radius))
    }

    @Test func anEarlyStoppedImagesReportsUseTheModelsItsCertificateUsed() throws {
        var options = CertificationOptions(bound: .betting)
        options.target = .radius(0.1)
        // The shipped set's trained models agree early on most digits; random ones rarely do.
        let set = try ModelSet.load(directory: TestModelSets.shipped)
        let c = Certifier(modelSet: set, workers: 2, options: options, sigma: .fixedRule)
        let requests = Self.requests(4)
        let verdicts = try c.certify(requests, targets: requests.map { _ in 0.1 }, reporting: Self.perturbations).map { try $0.get() }
        #expect(verdicts.contains { $0.stoppedEarly }, "the test needs an image that stops early")
        let ensemble = c.scheduler.ensemble
        for (request, v) in zip(requests, verdicts) {
            for report in v.triggers {
                let pixels = Self.perturbations.first { $0.name == report.name }!.apply(request.pixels)!
                let rows = c.scheduler.logits(images: [ensemble.prepare(pixels)], scales: [Float(v.sigma)], models: 0..<v.nModels)
                let scores = EnsembleScores(logits: rows[0], outputs: ensemble.outputs, classes: 2)
                #expect(report.label == ClassScores.top(scores.meanScores), "\(request.source) \(report.name) over \(v.nModels) models")
            }
        }
    }

    @Test func aNonFinitePluginOutputFailsItsImageOnly() throws {
        let c = try Self.certifier()
        let poisoned = Perturbation(name: "nan") { pixels in
            guard pixels[300] > 0 else { return nil }  // applies to some images only
            var p = pixels
            p[1] = .nan
            return p
        }
        let requests = Self.requests(6)
        let applies = requests.map { $0.pixels[300] > 0 }
        #expect(applies.contains(true) && applies.contains(false), "the test needs both kinds of image")
        let results = c.certify(requests, reporting: [poisoned])
        for (result, hit) in zip(results, applies) {
            switch result {
            case .success: #expect(!hit)
            case let .failure(e):
                #expect(hit)
                #expect("\(e)".contains("trigger plugin 'nan'"))
            }
        }
    }
}
