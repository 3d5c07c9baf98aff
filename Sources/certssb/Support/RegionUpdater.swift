import CertCore
import CertSigma
import CertStore
import Certify
import Foundation

/// Cert-SSB's storage-update step over a stream of inputs (DESIGN 2.7), optionally
/// persistent: with a store, regions, sigmas and verdicts are committed as they are decided,
/// and a rerun reads them back instead of recomputing (inputs known by their hash).
final class RegionUpdater {
    let index: RegionIndex
    let store: CertStore?
    let sigma0: Double
    /// Verdicts per chunk: the unit of a commit (and of what a kill can lose).
    let chunk = 32

    init(set: ModelSet, storeDirectory: String?) throws {
        let dimension = set.manifest.inputShape.reduce(1, *)
        sigma0 = set.manifest.sigma0
        if let dir = storeDirectory {
            do {
                let store = try CertStore.open(directory: dir, modelSetID: set.id)
                self.store = store
                index = RegionIndex(dimension: dimension, regions: try store.regions().map {
                    Certify.StoredRegion(sequence: $0.sequence, sha256: $0.sha256, label: $0.label, radius: $0.radius, input: $0.input)
                })
            } catch { throw CLIFailure(error) }
        } else {
            store = nil
            index = RegionIndex(dimension: dimension)
        }
    }

    private static let decoder = JSONDecoder()

    func process(_ requests: [CertificationRequest], with certifier: Certifier) throws -> [Verdict] {
        var out: [Verdict] = []
        out.reserveCapacity(requests.count)
        for start in stride(from: 0, to: requests.count, by: chunk) {
            let part = Array(requests[start..<min(start + chunk, requests.count)])
            // Inputs decided in an earlier run keep their verdict; their region is in the index.
            let stored: [Verdict?] = try part.map { r in
                guard let bytes = try store?.getVerdict(sha256: r.sha256) else { return nil }
                return try Self.decoder.decode(Verdict.self, from: Data(bytes))
            }
            let todo = part.indices.filter { stored[$0] == nil }
            let knownSigmas: [SigmaResult?] = try todo.map { i in
                guard let s = try store?.getSigma(sha256: part[i].sha256) else { return nil }
                return SigmaResult(sigma: s.sigma, sigma0: s.sigma0, rule: SigmaRule(rawValue: s.rule) ?? .gradient,
                                   steps: s.steps, draws: 0, models: 0, seed: s.seed, radiusEstimate: .nan)
            }
            var fresh = certifier.certify(todo.map { part[$0] }, sigmas: knownSigmas).makeIterator()
            var decided: [(CertificationRequest, Verdict)] = []
            var results = stored
            for i in todo {
                var v = fresh.next()!
                let d = StorageUpdate.decide(input: part[i].pixels, label: v.label, radius: v.radius, index: index)
                if d.outcome != .stored {
                    v.radiusExpected = min(v.radiusExpected, d.radius)
                }
                v.label = d.label
                v.labelName = certifier.modelSet.manifest.classes[d.label]
                v.radius = d.radius
                v.certified = d.radius > 0
                v.region = d.region
                index.append(Certify.StoredRegion(sequence: UInt64(index.count + 1), sha256: part[i].sha256, label: d.label,
                                                  radius: d.radius, input: part[i].pixels))
                results[i] = v
                decided.append((part[i], v))
            }
            try commit(decided)
            out += results.map { $0! }
        }
        return out
    }

    /// One transaction per chunk: region, sigma and verdict of every decided input.
    private func commit(_ decided: [(CertificationRequest, Verdict)]) throws {
        guard let store, !decided.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try store.batch { batch in
                for (request, v) in decided {
                    _ = try batch.appendRegion(sha256: request.sha256, label: v.label, radius: v.radius, input: request.pixels)
                    let s = v.sigmaSearch ?? .fixed(sigma0)
                    try batch.putSigma(sha256: request.sha256, StoredSigma(sigma: s.sigma, sigma0: s.sigma0, rule: s.rule.rawValue, steps: s.steps, seed: s.seed))
                    try batch.putVerdict(sha256: request.sha256, json: Array(try encoder.encode(v)))
                }
            }
        } catch { throw CLIFailure(error) }
    }
}
