import CertCore
import CertData
import CertSigma
import CertStore
import Certify
import Foundation

/// Per-sample sigmas of a data set (METHOD.md §2.5 stage 1), searched with a given model set
/// and kept in an LMDB store when one is named, so a rerun reads them back.
enum SampleSigmas {
    struct Result {
        var values: [Double]
        var summary: JSONValue
    }

    /// A training or test sample's identity in the store: SHA-256 of its float32 pixels.
    static func identity(_ pixels: ArraySlice<Float>, role: String) -> String {
        var bytes = Array(role.utf8)
        Array(pixels).withUnsafeBytes { bytes.append(contentsOf: $0) }
        return Checksum.sha256Hex(bytes)
    }

    /// Every sample at sigma0 (no stage 1).
    static func fixed(count: Int, sigma0: Double) -> Result {
        Result(values: [Double](repeating: sigma0, count: count), summary: .object(["rule": .string("fixed"), "sigma": .number(sigma0)]))
    }

    /// `progress` labels the progress lines on stderr (`WorkProgress`).
    static func compute(
        for data: LabeledDataset, options: SigmaArguments, modelSetDirectory: String?, storeDirectory: String?,
        sigma0: Double, workers: Int, role: String = "train", progress label: String = "sigma"
    ) throws -> Result {
        guard let dir = modelSetDirectory else { return fixed(count: data.count, sigma0: sigma0) }
        let set: ModelSet
        do { set = try ModelSet.load(directory: dir) } catch { throw CLIFailure(error) }
        // Training samples are never certified: every model of the set may search, and the
        // objective is the default certificate at this set's size. The grid rule by default:
        // the search rule's budget is about the certificate's cost, which does not arise here.
        let sigmaOptions = options.options(fallback: .grid, trigger: set.manifest.trigger)
        let target = SearchTarget(bound: CertificationOptions.defaultBound, alpha: 0.001, certifyingModels: set.count)
        let search = SigmaSearch(
            modelSet: set, options: sigmaOptions, workers: workers, target: target,
            models: Array(0..<set.count), sigma0: sigma0)
        var kind = sigmaOptions.identity
        kind["purpose"] = "training sample sigmas"
        kind["sigma0"] = "\(sigma0)"
        let store: CertStore?
        do { store = try storeDirectory.map { try CertStore.open(directory: $0, modelSetID: set.id, kind: kind) } } catch {
            throw CLIFailure(error)
        }
        let ids = (0..<data.count).map { identity(data.image($0), role: role) }
        var values = [Double?](repeating: nil, count: data.count)
        do {
            for i in 0..<data.count { values[i] = try store?.getSigma(sha256: ids[i])?.sigma }
        } catch { throw CLIFailure(error) }
        let missing = (0..<data.count).filter { values[$0] == nil }
        let reused = data.count - missing.count
        // Samples read back from the store count as done; the ETA covers only the search.
        let progress = WorkProgress(label: label, total: data.count, unit: "samples", done: reused)
        defer { progress.finish() }
        // 16 samples a step (one engine tile): the sigmas do not depend on it (README:
        // Determinism), and progress moves several times a minute in a debug build.
        for start in stride(from: 0, to: missing.count, by: 16) {
            let part = Array(missing[start..<min(start + 16, missing.count)])
            let found = search.sigmas(for: part.map { Array(data.image($0)) })
            for (i, r) in zip(part, found) { values[i] = r.sigma }
            do {
                try store?.batch { batch in
                    for (i, r) in zip(part, found) {
                        try batch.putSigma(
                            sha256: ids[i],
                            StoredSigma(sigma: r.sigma, sigma0: r.sigma0, rule: r.rule.rawValue, steps: r.steps, seed: r.seed))
                    }
                }
            } catch { throw CLIFailure(error) }
            progress.advance(by: part.count)
        }
        let all = values.map { $0! }
        let summary: JSONValue = .object([
            "rule": .string(sigmaOptions.rule.rawValue), "model_set": .string(set.id), "model_set_directory": .string(dir),
            "steps": .number(Double(sigmaOptions.steps)), "draws": .number(Double(sigmaOptions.draws)),
            "learning_rate": .number(sigmaOptions.learningRate), "max_step": .number(sigmaOptions.maxStep),
            "sigma_max": .number(sigmaOptions.sigmaMax), "models": .number(Double(sigmaOptions.models)),
            "seed": .string(String(sigmaOptions.seed)),
            "sigma0": .number(sigma0), "mean": .number(all.reduce(0, +) / Double(max(all.count, 1))),
            "min": .number(all.min() ?? sigma0), "max": .number(all.max() ?? sigma0), "read_back": .number(Double(reused)),
        ])
        return Result(values: all, summary: summary)
    }
}
