import CertStore
import Certify
import Foundation

/// A check of a store against the rule that made it: the storage-update replayed from the
/// stored verdicts, in arrival order, into a fresh in-memory index, must give every stored
/// region and verdict its label and radius again. What certification said comes from each
/// verdict (`region.original_label`/`original_radius` after a trim or an alignment, else the
/// verdict's own), the inputs from the stored regions. A crash that lost, doubled or reordered
/// a region, or a torn commit, shows up as a mismatch. (`certssbd --check-store`; the kill
/// storm test runs it.)
extension RegionLedger {
    /// What a replay found.
    public struct ReplayReport: Sendable, Equatable {
        /// Regions replayed (= arrivals, when the store is whole).
        public var regions: Int
        /// Arrivals listed in the store.
        public var arrivals: Int
        /// One line per disagreement, in arrival order (empty when the store is consistent).
        public var mismatches: [String]
        /// True when nothing disagreed.
        public var consistent: Bool { mismatches.isEmpty && regions == arrivals }
    }

    /// Replays the storage-update over this ledger's store (see the type's comment). Without a
    /// store there is nothing to check: zero regions. Throws the store's read errors.
    public func replayStoredVerdicts(dimension: Int) throws -> ReplayReport {
        guard let store else { return ReplayReport(regions: 0, arrivals: 0, mismatches: []) }
        var arrivals: [String] = []
        var after: UInt64 = 0
        while true {
            let page = try store.listArrivals(after: after, limit: 10_000)
            guard let last = page.last else { break }
            arrivals += page.map(\.1)
            after = last.0
        }
        let replay = RegionIndex(dimension: dimension)
        var mismatches: [String] = []
        var regions = 0
        try store.forEachRegion { view in
            let position = Int(view.sequence) - 1
            regions += 1
            guard position < arrivals.count, arrivals[position] == view.sha256 else {
                mismatches.append("region \(view.sequence) (\(view.sha256)) is not arrival \(view.sequence)")
                return
            }
            guard let verdict = try storedVerdict(sha256: view.sha256) else {
                mismatches.append("region \(view.sequence) (\(view.sha256)) has no verdict")
                return
            }
            let item = StorageUpdate.Item(
                input: view.stored.input, label: verdict.region.originalLabel ?? verdict.label,
                radius: verdict.region.originalRadius ?? verdict.radius, sha256: view.sha256)
            let decision = try StorageUpdate.decideBatch([item], index: replay)[0]
            if decision.label != view.label || decision.radius != view.radius {
                mismatches.append(
                    "region \(view.sequence) (\(view.sha256)): stored label \(view.label) radius \(view.radius), replay gives \(decision.label) \(decision.radius)"
                )
            }
            if decision.label != verdict.label || decision.radius != max(verdict.radius, 0) {
                mismatches.append(
                    "verdict \(view.sha256): label \(verdict.label) radius \(verdict.radius), replay gives \(decision.label) \(decision.radius)"
                )
            }
        }
        return ReplayReport(regions: regions, arrivals: arrivals.count, mismatches: mismatches)
    }
}
