import CertCore
import CertMath
import CertScheduler
import CertTestSupport
import Certify
import Foundation
import Testing

@Suite struct EnsembleScoresTests {
    @Test func binaryScoresAverageTheSigmoidsInDoublePrecision() {
        let logits: [Float] = [2, -1, 0, 3.5]
        let s = EnsembleScores(logits: logits, outputs: 1, classes: 2)
        let p = logits.map { 1 / (1 + exp(-Double($0))) }
        #expect(abs(s.meanScores[1] - p.reduce(0, +) / 4) < 1e-15)
        #expect(abs(s.meanScores[0] + s.meanScores[1] - 1) < 1e-15)
        // Logit 0 is a tie (p = 0.5): the vote goes to label 0.
        #expect(s.votes == [2, 2])
    }

    @Test func multiClassScoresUseSoftmax() {
        let s = EnsembleScores(logits: [1, 2, 3, 0, 0, 5], outputs: 3, classes: 3)
        let e1: [Double] = [exp(1.0), exp(2.0), exp(3.0)], e2: [Double] = [1.0, 1.0, exp(5.0)]
        let z1 = e1.reduce(0, +), z2 = e2.reduce(0, +)
        let expected: [Double] = (0..<3).map { c in (e1[c] / z1 + e2[c] / z2) / 2 }
        for c in 0..<3 { #expect(abs(s.meanScores[c] - expected[c]) < 1e-12) }
        #expect(s.votes == [0, 0, 2])
    }
}

@Suite(.blockingWork) struct CertifierTests {
    static func certifier(mode: CertificationMode = .sound, workers: Int = 2) throws -> Certifier {
        let directory = try TemporaryDirectory("certify")
        defer { directory.remove() }
        let dir = directory.path
        try RandomModelSet.write(directory: dir, architecture: .mnistCNN, count: 6, seed: 3, sigma0: 0.25)
        let set = try ModelSet.load(directory: dir)
        let scheduler = NoiseBatchScheduler(ensemble: Certifier.certifyingEnsemble(set), workers: workers)
        return Certifier(
            modelSet: set, scheduler: scheduler, options: CertificationOptions(mode: mode), sigma: .fixedRule,
            workers: workers, clock: { Date(timeIntervalSince1970: 0) })
    }

    static let request = CertificationRequest(
        pixels: GaussianNoise(seed: 4).draws(count: 784).map { min(max(0.5 + 0.2 * $0, 0), 1) },
        sha256: String(repeating: "a", count: 64), source: "test")

    @Test func verdictFollowsFromTheModelsLogitsAndTheCertificate() throws {
        let c = try Self.certifier()
        let v = try c.certify([Self.request])[0].get()
        // Recompute from the certifying scheduler's logits and the certificate math directly,
        // for the label the search models fixed.
        let logits = c.scheduler.logits(images: [c.scheduler.ensemble.prepare(Self.request.pixels)], scales: [0.25])[0]
        let scores = EnsembleScores(logits: logits, outputs: 1, classes: 2)
        let label = try #require(v.sigmaSearch?.label)
        let expected = Certificate.compute(
            CertificateInput(
                meanScores: scores.meanScores, votes: scores.votes, sigma: 0.25,
                bound: CertificationOptions.defaultBound, label: label, modelScores: scores.modelScores))
        #expect(v.label == label && v.radius == expected.radius && v.pALower == expected.pALower)
        #expect(v.abstained == !v.certified)
        // 6 models: 3 search (ModelSet.defaultSearchCount), 3 certify; n_models counts the latter.
        #expect(v.nModels == 3 && c.roles.search.count == 3 && v.sigma == 0.25 && v.sigma0 == 0.25 && v.mode == .sound)
        #expect(v.certified == (v.radius > 0))
        #expect(v.modelSet == c.modelSet.id && v.sha256 == Self.request.sha256)
    }

    @Test func jsonUsesTheContractFieldNames() throws {
        let line = try Self.certifier().certify([Self.request])[0].get().jsonLine()
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        for field in [
            "sha256", "model_set", "label", "certified", "radius", "radius_expected", "margin", "sigma", "sigma0",
            "p_a", "p_b", "p_a_lower", "p_b_upper", "scores", "abstained", "sigma_search", "n_models", "alpha", "bound", "mode", "region",
            "triggers",
            "source", "created_at",
        ] {
            #expect(object[field] != nil, "missing \(field)")
        }
        #expect(!line.contains("\n"))
        #expect((object["created_at"] as? String) == "1970-01-01T00:00:00Z")
    }

    @Test func verdictsDoNotDependOnWorkersOrBatchCompanions() throws {
        let others = (0..<5).map { i in
            CertificationRequest(
                pixels: GaussianNoise(seed: 40 + UInt32(i)).draws(count: 784).map { min(max(0.5 + 0.2 * $0, 0), 1) },
                sha256: String(i), source: "other")
        }
        let alone = try Self.certifier(workers: 1).certify([Self.request])[0].get()
        let crowded = try Self.certifier(workers: 2).certify(others + [Self.request])[5].get()
        #expect(alone.jsonLine() == crowded.jsonLine())
    }

    /// Released mode draws its noise at sigma0; with sigma_x = sigma0 (no sample-specific
    /// search yet) it must equal sound mode in everything but its label.
    @Test func releasedModeIsLabelledAndAgreesWhileSigmaIsSigma0() throws {
        let sound = try Self.certifier(mode: .sound).certify([Self.request])[0].get()
        var released = try Self.certifier(mode: .released).certify([Self.request])[0].get()
        #expect(released.mode == .released)
        released.mode = .sound
        #expect(released == sound)
    }
}
