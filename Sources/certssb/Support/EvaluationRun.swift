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
    /// `--N_m` when it asked for more models than the set has (the run uses all of them).
    let modelsAsked: Int?

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
        // The paper's command reads --N_m 1000; a smaller set certifies with every model it
        // has, and the warning and the table's heading say how many, before any work starts.
        if let n = command.nModels, n > full.count {
            logLine("warning: --N_m \(n) asks for more models than \(dir) has: using all \(full.count) (N_m = \(full.count))")
            modelsAsked = n
        } else {
            modelsAsked = nil
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
        let progress = WorkProgress(label: "eval", total: 4 * test.count, unit: "inputs")
        // Both methods certify with the same certifying models and the same bound; the search
        // models (never certifying) fix each input's label at sigma0 for both.
        let scheduler = NoiseBatchScheduler(ensemble: Certifier.certifyingEnsemble(set), workers: c.workers)

        // RAB: sigma0 for every input, no store.
        let rab = Certifier(
            modelSet: set, scheduler: scheduler, options: CertificationOptions(alpha: c.certificate.alpha, bound: c.certificate.bound),
            sigma: .fixedRule, workers: c.workers)
        let rabBenign = try certifyAll(rab, benign, progress, "RAB benign")
        let rabWatermarked = try certifyAll(rab, watermarked, progress, "RAB watermarked")

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
            // The ledger's own unit of a commit (32), one call each, so progress can follow it.
            func process(_ requests: [CertificationRequest], _ stage: String) throws -> [Verdict] {
                try stride(from: 0, to: requests.count, by: 32).flatMap { start -> [Verdict] in
                    let part = Array(requests[start..<min(start + 32, requests.count)])
                    defer { progress.advance(by: part.count, stage: stage) }
                    return try ledger.process(part, with: ssb, perturbations: perturbations, chunk: 32)
                }
            }
            ssbBenign = try process(benign, "Cert-SSB benign")
            ssbWatermarked = try process(watermarked, "Cert-SSB watermarked")
        } catch { throw CLIFailure(error) }
        progress.finish()

        let evaluated = Records(
            rabBenign: records(rabBenign, benign: true, target: target),
            rabWatermarked: records(rabWatermarked, benign: false, target: target),
            ssbBenign: records(ssbBenign, benign: true, target: target),
            ssbWatermarked: records(ssbWatermarked, benign: false, target: target))
        let tables = [
            PaperTable(method: "RAB", benign: evaluated.rabBenign, watermarked: evaluated.rabWatermarked),
            PaperTable(method: ssbName, benign: evaluated.ssbBenign, watermarked: evaluated.ssbWatermarked),
        ]
        let elapsed = Date().timeIntervalSince(started)
        let roles = ssb.roles
        print(
            "model set \(set.directory) (\(modelCount): \(roles.certify.count) certify, \(roles.search.count) search\(roles.declared ? "" : " (split off, see README: Search models)"); sigma0 \(set.manifest.sigma0)); \(test.count) test inputs; trigger \(trigger.name), delta \(c.delta); bound \(c.certificate.bound.rawValue), alpha \(c.certificate.alpha); sigma rule \(sigmaOptions.rule.rawValue)"
        )
        for t in tables { print("\n\(t.method)\(modelsAsked.map { ", N_m = \(set.count) (asked for \($0))" } ?? "")\n\(t.render())") }
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
        if let path = c.plot { try writePlot(evaluated, roles: roles, to: path) }
    }

    /// The Cert-SSB table's name (and the plot's).
    var ssbName: String { "Cert-SSB" + (c.certificate.compat == .released ? " (compat released)" : "") }

    /// "72 models", or "N_m = 72 (asked for 1000)" when `--N_m` asked for more.
    var modelCount: String { modelsAsked.map { "N_m = \(set.count) (asked for \($0))" } ?? "\(set.count) models" }

    private func certifyAll(_ certifier: Certifier, _ requests: [CertificationRequest], _ progress: WorkProgress, _ stage: String) throws
        -> [Verdict]
    {
        do {
            // Verdicts do not depend on the batch (README: Determinism); 64 keeps progress moving.
            return try stride(from: 0, to: requests.count, by: 64).flatMap { start -> [Verdict] in
                let part = Array(requests[start..<min(start + 64, requests.count)])
                defer { progress.advance(by: part.count, stage: stage) }
                return try certifier.certifyAll(part)
            }
        } catch { throw CLIFailure(error) }
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    func records(_ verdicts: [Verdict], benign: Bool, target: Int) -> [EvalRecord] {
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
    }
}
