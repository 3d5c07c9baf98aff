import CertCore
import CertSigma
import CertStore
import Certify
import Foundation

/// Cert-SSB's storage-update step over a stream of inputs (METHOD.md §2.7), persistent when it
/// has a store: each verdict's region, sigma, verdict and arrival are committed together,
/// and inputs decided before (known by their hash) are read back, not recomputed.
/// Used by `certssb eval` and by the daemon.
///
/// `@unchecked Sendable`: `index`, the only mutable state, is read and changed only under `lock`;
/// the other properties are `let`s, and the store is safe to share.
public final class RegionLedger: @unchecked Sendable {
    let index: RegionIndex
    /// The store regions, sigmas, verdicts and arrivals go to; nil keeps the regions in memory only
    /// (eval without `--store`).
    public let store: CertStore?
    let classes: [String]
    let sigma0: Double
    private let lock = NSLock()

    /// A ledger for `modelSet`, its index loaded from `store`'s regions in commit order (empty
    /// without a store). Throws the store's errors, or `CertStoreError.corruptRecord` for a region
    /// that does not decode.
    public init(modelSet: ModelSet, store: CertStore?) throws {
        self.store = store
        classes = modelSet.manifest.classes
        sigma0 = modelSet.manifest.sigma0
        index = try Self.loadIndex(dimension: modelSet.manifest.inputShape.count, store: store)
    }

    /// With a store, the index streams every region from it and keeps only the screen's
    /// features (the inputs stay in the map); without one it holds every region in RAM.
    static func loadIndex(dimension: Int, store: CertStore?) throws -> RegionIndex {
        guard let store else { return RegionIndex(dimension: dimension) }
        return try RegionIndex(dimension: dimension, archive: StoreRegionArchive(store: store))
    }

    /// Regions in the index (stored ones included).
    public var regionCount: Int { lock.withLock { index.count } }

    private static let decoder = JSONDecoder()

    /// The verdict stored for `sha256`, or nil (always nil without a store). Throws for a malformed
    /// hash or a record that does not decode.
    public func storedVerdict(sha256: String) throws -> Verdict? {
        guard let bytes = try store?.getVerdict(sha256: sha256) else { return nil }
        return try Self.decoder.decode(Verdict.self, from: Data(bytes))
    }

    /// Applies the storage-update rule to fresh verdicts in order and commits them in one
    /// transaction. On a failed commit the regions are taken back out of the in-memory index, so it
    /// never holds a region the store lacks. Returns the final verdicts and their arrival
    /// sequence numbers (nil without a store).
    public func commit(_ items: [(request: CertificationRequest, verdict: Verdict)]) throws -> [(verdict: Verdict, arrival: UInt64?)] {
        try lock.withLock {
            let before = index.count
            // Decides in order, each item seeing the regions of the ones before it; the index
            // takes the batch's regions back itself when this throws.
            let decisions = try StorageUpdate.decideBatch(
                items.map {
                    StorageUpdate.Item(
                        input: $0.request.pixels, label: $0.verdict.label, radius: $0.verdict.radius, sha256: $0.request.sha256)
                }, index: index)
            let decided = zip(items, decisions).map { item, d in (item.request, item.verdict.updated(by: d, classes: classes)) }
            guard let store, !decided.isEmpty else { return decided.map { ($0.1, nil) } }
            var arrivals: [UInt64] = []
            do {
                try store.batch { batch in
                    arrivals = []  // the closure may run again after the map grows
                    for (request, v) in decided {
                        _ = try batch.appendRegion(sha256: request.sha256, label: v.label, radius: v.radius, input: request.pixels)
                        let s = v.sigmaSearch ?? .fixed(sigma0)
                        try batch.putSigma(
                            sha256: request.sha256,
                            StoredSigma(sigma: s.sigma, sigma0: s.sigma0, rule: s.rule.rawValue, steps: s.steps, seed: s.seed))
                        try batch.putVerdict(sha256: request.sha256, json: v.jsonBytes())
                        arrivals.append(try batch.appendArrival(sha256: request.sha256))
                    }
                }
            } catch {
                index.truncate(to: before)  // the store did not take them: neither does the index
                throw error
            }
            index.markPersisted()
            return zip(decided, arrivals).map { ($0.0.1, $0.1) }
        }
    }

    /// The evaluation's loop: certify in chunks (the unit of a commit, and of what a kill
    /// can lose), reusing stored verdicts and sigmas.
    /// `perturbations` are the loaded trigger plugins, for the `triggers` early-stopping target.
    public func process(
        _ requests: [CertificationRequest], with certifier: Certifier, perturbations: [Perturbation] = [],
        chunk: Int = 32
    ) throws -> [Verdict] {
        var out: [Verdict] = []
        out.reserveCapacity(requests.count)
        for start in stride(from: 0, to: requests.count, by: chunk) {
            let part = Array(requests[start..<min(start + chunk, requests.count)])
            var results: [Verdict?] = try part.map { try storedVerdict(sha256: $0.sha256) }
            let todo = part.indices.filter { results[$0] == nil }
            let batch = todo.map { part[$0] }
            let fresh = try certifier.certify(batch, targets: certifier.targets(batch, perturbations: perturbations)).map { try $0.get() }
            let committed = try commit(zip(todo, fresh).map { (part[$0.0], $0.1) })
            for (i, c) in zip(todo, committed) { results[i] = c.verdict }
            out += results.map { $0! }
        }
        return out
    }
}
