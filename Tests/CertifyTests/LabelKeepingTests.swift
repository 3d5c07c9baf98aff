import CertCore
import CertMath
import CertSigma
import CertTestSupport
import Certify
import Foundation
import Testing

/// Models that answer 1 on a blank image at small noise and 0 once the noise is large, as
/// models trained at a small sigma0 collapse to one class at a few times that noise.
///
/// Each model measures the noise's energy: conv1 keeps +x and −x (channels 0 and 1), ReLU
/// and the pools keep their positive parts, conv2 adds them, fc averages channel 0's 16
/// pooled values into feature 0 (about 2.5·s on a blank image), and the output is
/// b_m − 10·feature₀: class 1 below s ≈ b_m/25, class 0 above.
enum CollapsingModelSet {
    static func tensors(bias: Float) -> [(name: String, shape: [Int], values: [Float])] {
        Architecture.mnistCNN.parameterSpecs.map { spec in
            var v = [Float](repeating: 0, count: spec.count)
            switch spec.name {
            case "conv1.weight":
                v[0 * 25 + 12] = 1  // out 0, centre tap
                v[1 * 25 + 12] = -1  // out 1, centre tap
            case "conv2.weight":
                v[(0 * 16 + 0) * 25 + 12] = 1
                v[(0 * 16 + 1) * 25 + 12] = 1
            case "fc.weight":
                for f in 0..<16 { v[f] = 1.0 / 16 }  // row 0: channel 0 of the 32×4×4 flatten
            case "output.weight":
                v[0] = -10
            case "output.bias":
                v[0] = bias
            default: break
            }
            return (spec.name, spec.shape, v)
        }
    }

    static func write(directory: String, count: Int) throws -> ModelSet {
        let placeholder = (0..<count).map {
            ModelSetManifest.Model(index: $0, file: "", sha256: String(repeating: "0", count: 64), noiseSeed: 0)
        }
        var manifest = ModelSetManifest(
            name: "collapsing", architecture: .mnistCNN, classes: ["0", "1"], sigma0: 0.12,
            trigger: "none", delta: 0, poisonRate: 0, models: placeholder,
            createdAt: "2026-12-01T00:00:00Z", tool: "test")
        manifest = try ModelSet.write(
            directory: directory, manifest: manifest,
            tensors: (0..<count).map { tensors(bias: 9 + 0.01 * Float($0)) })
        for i in manifest.models.indices { manifest.models[i].noiseSeed = Checksum.seedModulo32(sha256Hex: manifest.models[i].sha256) }
        try manifest.encoded().write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("manifest.json")))
        return try ModelSet.load(directory: directory)
    }
}

@Suite(.blockingWork) struct LabelKeepingTests {
    static let blank = [Float](repeating: 0, count: 784)

    static func withSet<T>(count: Int = 24, _ body: (ModelSet) throws -> T) throws -> T {
        let directory = try TemporaryDirectory("collapsing")
        defer { directory.remove() }
        let dir = directory.file("set")
        return try body(try CollapsingModelSet.write(directory: dir, count: count))
    }

    /// The search keeps the label of sigma0 and never certifies the class the models fall
    /// into at large noise, for every bound and for the gradient rule too.
    @Test(arguments: [BoundKind.clopperPearson, .betting, .hoeffding])
    func searchKeepsTheSigma0LabelWhenLargeSigmasMakeTheModelsConstant(_ bound: BoundKind) throws {
        try Self.withSet { set in
            // A budget of one ensemble pass (24 runs: 3 search models × 6 sigmas), so the search
            // goes past the first sigma that loses the label (the default 10% is 3 sigmas here).
            var sigma = SigmaOptions()
            sigma.budget = 1
            let certifier = Certifier(modelSet: set, workers: 2, options: CertificationOptions(bound: bound), sigma: sigma)
            // The control: at large sigma these models do answer 0, so a search that followed
            // the raw margin-free radius could certify the wrong class.
            #expect(certifier.smoothedLabels([Self.blank], sigmas: [0.9]) == [0])
            #expect(certifier.smoothedLabels([Self.blank], sigmas: [0.12]) == [1])
            let v = try certifier.certify([CertificationRequest(pixels: Self.blank, sha256: "blank", source: "test")])[0].get()
            let search = try #require(v.sigmaSearch)
            #expect(search.label == 1 && v.label == 1, "\(v.jsonLine())")
            #expect(v.sigma < 0.36, "sigma \(v.sigma) is past where the models turn to class 0")
            #expect(search.stop == .label || search.stop == .optimum, "\(search)")
            if !v.certified { #expect(v.abstained) }
        }
    }

    @Test func gradientRuleStillCertifiesOnlyTheSigma0Label() throws {
        try Self.withSet { set in
            var options = SigmaOptions.gradient
            options.steps = 40; options.maxStep = 0.05
            let certifier = Certifier(modelSet: set, workers: 2, sigma: options)
            let v = try certifier.certify([CertificationRequest(pixels: Self.blank, sha256: "blank", source: "test")])[0].get()
            #expect(v.label == 1 && v.sigmaSearch?.label == 1, "\(v.jsonLine())")
            #expect(!v.certified || v.pALower > 0.5)
        }
    }

    /// With a target and the betting bound, the certifying models stop after the first block
    /// that decides the question; the verdict says how many ran and that it stopped early,
    /// and its bound equals the betting bound of exactly those models' scores.
    @Test func aTargetStopsTheCertifyingModelsEarly() throws {
        try Self.withSet(count: 24) { set in
            var options = CertificationOptions(bound: .betting)
            options.target = .radius(0.01)
            let request = CertificationRequest(pixels: Self.blank, sha256: "blank", source: "test")
            let early = try Certifier(modelSet: set, workers: 2, options: options, sigma: .fixedRule).certify([request])[0].get()
            #expect(early.stoppedEarly && early.nModels == Certifier.stoppingBlock && early.targetRadius == 0.01, "\(early.jsonLine())")
            #expect(early.certified && early.radius > 0.01 && early.label == 1)
            options.target = nil
            let all = try Certifier(modelSet: set, workers: 2, options: options, sigma: .fixedRule).certify([request])[0].get()
            #expect(!all.stoppedEarly && all.nModels == set.roles.certify.count && all.targetRadius == nil)
            #expect(all.radius >= early.radius - 1e-12, "more models never weaken the betting bound here")
            // A target the models cannot reach stops too, not certified beyond it.
            options.target = .radius(5)
            let far = try Certifier(modelSet: set, workers: 2, options: options, sigma: .fixedRule).certify([request])[0].get()
            #expect(far.radius < 5 && far.nModels <= set.roles.certify.count)
        }
    }

    /// Search models and certifying models are disjoint and together the whole set; the
    /// verdict's n_models counts only the certifying ones.
    @Test func searchAndCertifyingModelsAreDisjoint() throws {
        try Self.withSet(count: 24) { set in
            let roles = set.roles
            #expect(!roles.declared && roles.search.count == ModelSet.defaultSearchCount(models: 24))
            #expect(Set(roles.search).isDisjoint(with: roles.certify))
            #expect((roles.search + roles.certify).sorted() == Array(0..<24))
            let certifier = Certifier(modelSet: set, workers: 1)
            #expect(certifier.scheduler.ensemble.count == roles.certify.count)
            // The certifying ensemble holds exactly the certifying models' weights.
            let certifyingSeeds = certifier.scheduler.ensemble.models.map(\.noiseSeed)
            #expect(certifyingSeeds == roles.certify.map { set.manifest.models[$0].noiseSeed })
            let v = try certifier.certify([CertificationRequest(pixels: Self.blank, sha256: "b", source: "t")])[0].get()
            #expect(v.nModels == roles.certify.count && v.votes.reduce(0, +) == roles.certify.count)
            #expect(v.sigmaSearch?.models == roles.search.count)
        }
    }

    /// A declared split is used as declared; the derived one is a seeded sample, stable for
    /// the same set and not simply the first models.
    @Test func declaredSearchModelsWinAndTheDerivedSplitIsStable() throws {
        try Self.withSet(count: 40) { set in
            #expect(set.roles == set.roles)
            #expect(set.roles.search != Array(0..<set.roles.search.count), "a seeded sample, not the first models")
            var manifest = set.manifest
            manifest.searchModels = [3, 7]
            try manifest.encoded().write(to: URL(fileURLWithPath: (set.directory as NSString).appendingPathComponent("manifest.json")))
            let declared = try ModelSet.load(directory: set.directory).roles
            #expect(declared.declared && declared.search == [3, 7] && declared.certify.count == 38)
        }
    }
}
