import CertCore
import CertData
import CertEval
import CertLedger
import CertMath
import CertScheduler
import CertShape
import CertSigma
import CertStore
import Certify
import Foundation
import TriggerKit

/// Wiring of `certssb eval`: data → RAB and Cert-SSB certification → storage-update → tables.
struct EvaluationRun {
    let c: EvalCommand
    let set: ModelSet
    let test: LabeledDataset
    let trigger: TriggerPlugin
    /// Every loaded plugin as a perturbation (the `triggers` early-stopping target).
    let perturbations: [Perturbation]

    init(command: EvalCommand) throws {
        c = command
        let dir = command.modelSet ?? "model/\(command.dataset)/\(command.wmShape)/sigma\(command.sigma)"
        if command.modelSet == nil && !FileManager.default.fileExists(atPath: dir) {
            throw CLIFailure(
                "no model set at \(dir): train one with `certssb train --dataset \(command.dataset) --wm_shape \(command.wmShape) --sigma \(command.sigma) --N_m \(command.nModels ?? 1000) --out \(dir)`, or pass --model-set DIR (the shipped set is model/mnist/onepixel/sigma1.25)"
            )
        }
        let full: ModelSet
        do { full = try ModelSet.load(directory: dir) } catch { throw CLIFailure(error) }
        if let n = command.nModels, n > full.count {
            // Evaluating fewer models than asked would be another experiment than the one named.
            throw CLIFailure("--N_m \(n) but \(dir) has \(full.count) models; drop --N_m to use all of them, or train a larger set")
        }
        set = full.prefix(command.nModels ?? Int.max)
        let shared = ProcessInfo.processInfo.environment["CERTSSB_SHARED"] ?? "../shared"
        do {
            let splits = try DatasetLocator.load(
                dataset: command.dataset, data: command.data,
                sharedDirectory: FileManager.default.fileExists(atPath: shared) ? shared : nil)
            let task = try BinaryTask.paper(dataset: command.dataset, classes: splits.test.classes)
            let all = task.apply(splits.test)
            // --limit takes evenly spaced inputs, so every class stays represented.
            test = command.limit.map { n in all.subset((0..<min(n, all.count)).map { $0 * all.count / min(n, all.count) }) } ?? all
        } catch { throw CLIFailure(error) }
        let shape = test.shape
        guard shape == set.manifest.inputShape else {
            throw CLIFailure("the data is \(shape) but the model set expects \(set.manifest.inputShape)")
        }
        let registry = command.pluginDir.map { TriggerRegistry.load(directory: $0) } ?? TriggerRegistry.loadDefault()
        guard let plugin = registry[command.wmShape] else { throw CLIFailure("unknown --wm_shape '\(command.wmShape)'") }
        let delta = set.manifest.delta
        perturbations = registry.plugins.map { p in
            Perturbation(name: p.name) { p.applied(to: $0, shape: shape, delta: delta) }
        }
        trigger = plugin
    }

    /// Inputs are identified by the SHA-256 of their float32 pixels and their role.
    static func identity(_ pixels: [Float], _ role: String) -> String {
        var bytes = Array(role.utf8)
        pixels.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return Checksum.sha256Hex(bytes)
    }

    func execute() throws {
        let shape = test.shape, target = set.manifest.targetLabel
        let benign = (0..<test.count).map { i -> CertificationRequest in
            let x = Array(test.image(i))
            return CertificationRequest(pixels: x, sha256: Self.identity(x, "benign"), source: "test[\(i)]")
        }
        let watermarked = try (0..<test.count).map { i -> CertificationRequest in
            var x = Array(test.image(i))
            try trigger.apply(to: &x, shape: shape, delta: c.delta)
            return CertificationRequest(pixels: x, sha256: Self.identity(x, "watermarked"), source: "test[\(i)]+\(trigger.name)")
        }
        let started = Date()
        // Both methods certify with the same certifying models and the same bound; the search
        // models (never certifying) fix each input's label at sigma0 for both.
        let scheduler = NoiseBatchScheduler(ensemble: Certifier.certifyingEnsemble(set), workers: c.workers)

        // RAB: sigma0 for every input, no store.
        let rab = Certifier(
            modelSet: set, scheduler: scheduler, options: CertificationOptions(alpha: c.certificate.alpha, bound: c.certificate.bound),
            sigma: .fixedRule, workers: c.workers)
        let rabBenign = try certifyAll(rab, benign), rabWatermarked = try certifyAll(rab, watermarked)

        // Cert-SSB: sample-specific sigma, then the storage-update store in arrival order.
        let sigmaOptions = c.sigmaSearch.options(
            fallback: c.certificate.compat == .released ? .released : .search, trigger: set.manifest.trigger)
        let ssb = Certifier(
            modelSet: set, scheduler: scheduler, options: c.certificate.certification, sigma: sigmaOptions, workers: c.workers)
        let ledger: RegionLedger
        do {
            ledger = try RegionLedger(
                modelSet: set, store: c.store.map { try CertStore.open(directory: $0, modelSetID: set.id, kind: ssb.kind) })
        } catch { throw CLIFailure(error) }
        let ssbBenign: [Verdict], ssbWatermarked: [Verdict]
        do {
            ssbBenign = try ledger.process(benign, with: ssb, perturbations: perturbations)
            ssbWatermarked = try ledger.process(watermarked, with: ssb, perturbations: perturbations)
        } catch { throw CLIFailure(error) }

        let tables = [
            PaperTable(
                method: "RAB", benign: records(rabBenign, benign: true, target: target),
                watermarked: records(rabWatermarked, benign: false, target: target)),
            PaperTable(
                method: "Cert-SSB" + (c.certificate.compat == .released ? " (compat released)" : ""),
                benign: records(ssbBenign, benign: true, target: target),
                watermarked: records(ssbWatermarked, benign: false, target: target)),
        ]
        let elapsed = Date().timeIntervalSince(started)
        let roles = ssb.roles
        print(
            "model set \(set.directory) (\(set.count) models: \(roles.certify.count) certify, \(roles.search.count) search\(roles.declared ? "" : " (split off, see README: Search models)"); sigma0 \(set.manifest.sigma0)); \(test.count) test inputs; trigger \(trigger.name), delta \(c.delta); bound \(c.certificate.bound.rawValue), alpha \(c.certificate.alpha); sigma rule \(sigmaOptions.rule.rawValue)"
        )
        for t in tables { print("\n\(t.method)\n\(t.render())") }
        if c.rabMetric {
            let victims = (0..<test.count).filter { test.labels[$0] != target }
            for (name, verdicts) in [("RAB", rabWatermarked), ("Cert-SSB", ssbWatermarked)] {
                let line = PaperTable.paperRadii.map { r in
                    String(
                        format: "%.5f",
                        Double(victims.filter { verdicts[$0].label == test.labels[$0] && verdicts[$0].radius > r }.count)
                            / Double(max(victims.count, 1)))
                }.joined(separator: " / ")
                print("\n\(name) RAB metric (non-target triggered inputs, true labels): \(line)")
            }
        }
        let maxSigma = (ssbBenign + ssbWatermarked + rabBenign).map(\.sigma).max() ?? set.manifest.sigma0
        // The largest margin the bound can give with N certifying models (every score 1).
        let best = Certificate.predictedLowerBound(c.certificate.bound, sample: [1], n: roles.certify.count, alpha: c.certificate.alpha)
        let ceiling = Normal.quantile(min(best, 1 - 1e-8)) * maxSigma
        print(
            String(
                format: "\nceiling: PhiInv(best pA_lower) * max sigma_x = %.5f; largest radius %.5f; %.1f s", ceiling,
                (ssbBenign + ssbWatermarked + rabBenign + rabWatermarked).map(\.radius).max() ?? 0, elapsed))
        for (name, verdicts) in [
            ("RAB benign", rabBenign), ("Cert-SSB benign", ssbBenign), ("RAB watermarked", rabWatermarked),
            ("Cert-SSB watermarked", ssbWatermarked),
        ] {
            let abstained = verdicts.filter(\.abstained).count
            let runs = verdicts.map { $0.sigmaSearch?.modelRuns ?? 0 }.reduce(0, +)
            print(
                String(
                    format:
                        "%@: %d of %d abstained; median radius %.5f; median sigma %.4f; search %.1f model runs per input (certificate: %d)",
                    name, abstained, verdicts.count, Self.median(verdicts.map { max($0.radius, 0) }), Self.median(verdicts.map(\.sigma)),
                    Double(runs) / Double(max(verdicts.count, 1)), roles.certify.count))
        }
        try writeOutputs(
            tables,
            all: ["rab_benign": rabBenign, "rab_watermarked": rabWatermarked, "ssb_benign": ssbBenign, "ssb_watermarked": ssbWatermarked])
    }

    private func certifyAll(_ certifier: Certifier, _ requests: [CertificationRequest]) throws -> [Verdict] {
        do {
            return try stride(from: 0, to: requests.count, by: 256).flatMap {
                try certifier.certifyAll(Array(requests[$0..<min($0 + 256, requests.count)]))
            }
        } catch { throw CLIFailure(error) }
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    private func records(_ verdicts: [Verdict], benign: Bool, target: Int) -> [EvalRecord] {
        verdicts.enumerated().map { i, v in
            EvalRecord(
                label: v.label, expected: benign ? test.labels[i] : target, radius: v.radius, radiusExpected: v.radiusExpected,
                sigma: v.sigma)
        }
    }

    private func writeOutputs(_ tables: [PaperTable], all: [String: [Verdict]]) throws {
        if let path = c.csv {
            try tables.map { $0.csv() }.joined().write(toFile: path, atomically: true, encoding: .utf8)
        }
        if let path = c.json {
            struct Report: Encodable { var tables: [PaperTable]; var verdicts: [String: [Verdict]] }
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try e.encode(Report(tables: tables, verdicts: all)).write(to: URL(fileURLWithPath: path))
        }
        if let path = c.plot {
            let curves = tables.map { CurvePlot.Curve(name: $0.method, radii: $0.radii, values: $0.certAcc) }
            let title = "\(c.dataset) \(trigger.name), sigma0 \(set.manifest.sigma0), N_m \(set.count)"
            if path.hasSuffix(".svg") {
                try CurvePlot.svg(curves, title: title).write(toFile: path, atomically: true, encoding: .utf8)
            } else {
                let image = CurvePlot.raster(curves)
                try Data(
                    PNGEncoder.encode(
                        DecodedImage(shape: ImageShape(channels: 3, height: image.height, width: image.width), pixels: image.pixels))
                )
                .write(to: URL(fileURLWithPath: path))
            }
        }
    }
}
