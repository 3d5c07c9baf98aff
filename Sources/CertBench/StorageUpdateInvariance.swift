import CertMath
import Certify

/// The storage-update's promise, checked under whatever OpenBLAS kernel the process got: the
/// region index decides exactly as the brute force, and the decisions (hashed) are the same
/// under every kernel (`certssb invariance`; Tests/CLITests/KernelInvarianceTests compares the
/// hashes across kernels).
public enum StorageUpdateInvariance {
    /// What `check` found; `digest` is what is compared across kernels.
    public struct Report: Codable, Sendable {
        /// Decisions compared: 128 (two micro-batches of 64).
        public var decisions: Int
        /// Decisions of the index that differ from the brute force's.
        public var mismatches: Int
        /// FNV-1a of every decision's label, radius bits and outcome, in order.
        public var digest: String
        /// How often each outcome occurred (the check means little without all three).
        public var outcomes: [String: Int]
    }

    /// A seeded store of clustered 784-value inputs with three labels (many conflicts, some
    /// alignments), then two micro-batches of 64 decided by both.
    public static func check() throws -> Report {
        var rng = SplitMix64(seed: 0x1D_E0_2026)
        let D = 784
        func unit() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let centres = (0..<8).map { _ in (0..<D).map { _ in unit() } }
        func near() -> [Float] { centres[rng.uniform(below: centres.count)].map { min(1, max(0, $0 + (unit() - 0.5) * 0.12)) } }
        let index = RegionIndex(dimension: D)
        let brute = BruteForceRegions(dimension: D)
        for i in 0..<400 {
            let x = near(), label = rng.uniform(below: 3), radius = Double(unit()) * 1.4
            index.append(IndexedRegion(sha256: String(i), label: label, radius: radius, input: x))
            brute.append(sha256: String(i), label: label, radius: radius, input: x)
        }
        var report = Report(decisions: 0, mismatches: 0, digest: "", outcomes: [:])
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ v: UInt64) { for b in 0..<8 { hash = (hash ^ ((v >> (8 * UInt64(b))) & 0xFF)) &* 0x0000_0100_0000_01B3 } }
        for batch in 0..<2 {
            let items = (0..<64).map { n in
                StorageUpdate.Item(
                    input: near(), label: rng.uniform(below: 3), radius: Double(unit()) * 1.5 - 0.2, sha256: "q\(batch)-\(n)")
            }
            let got = try StorageUpdate.decideBatch(items, index: index)
            let want = try brute.decideSequentially(items)
            for (g, w) in zip(got, want) {
                report.decisions += 1
                report.outcomes[g.region.status, default: 0] += 1
                if g != w { report.mismatches += 1 }
                mix(UInt64(g.label)); mix(g.radius.bitPattern)
                switch g.outcome {
                case .stored: mix(0)
                case let .trimmed(by, d): mix(1); mix(d.bitPattern); by.utf8.forEach { mix(UInt64($0)) }
                case let .aligned(to, d, from): mix(2); mix(d.bitPattern); mix(UInt64(from)); to.utf8.forEach { mix(UInt64($0)) }
                }
            }
        }
        report.digest = String(hash, radix: 16)
        return report
    }
}
