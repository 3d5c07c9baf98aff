import CertMath
import Foundation

/// Which models of a set choose the label and sigma, and which certify (METHOD.md §2.5).
///
/// Why two groups: the sigma search reads the search models' outputs; if it read the
/// certifying models, sigma would be a function of their weights and their scores at that
/// sigma would no longer be fresh i.i.d. draws, so no bound would hold as stated. The two
/// groups are disjoint and together are the whole set.
public struct ModelRoles: Sendable, Equatable {
    /// Indices into the set, ascending.
    public var search: [Int]
    /// The certifying models' indices, ascending: every index not in `search`.
    public var certify: [Int]
    /// True when the manifest names the search models; false when they were split off here.
    public var declared: Bool
}

extension ModelSet {
    /// How many search models a set without `search_models` splits off: N/8, at least 4 and
    /// at most 16, never more than half (N = 16 → 4, 72 → 9, 1000 → 16; 2 or 3 → 1; 1 → 0).
    public static func defaultSearchCount(models n: Int) -> Int {
        guard n >= 2 else { return 0 }
        return min(16, max(4, n / 8), n / 2)
    }

    /// A seeded random sample of `count` of `n` indices (not simply the first models: the
    /// first models of a training run need not be typical). Fisher–Yates on SplitMix64
    /// seeded with `seed`; the result is sorted.
    public static func sampleIndices(_ count: Int, of n: Int, seed: UInt64) -> [Int] {
        var indices = Array(0..<n)
        var generator = SplitMix64(seed: seed)
        for i in 0..<min(count, n) {
            let j = i + Int(generator.next() % UInt64(n - i))
            indices.swapAt(i, j)
        }
        return Array(indices.prefix(count)).sorted()
    }

    /// The declared roles, or a split of `defaultSearchCount` models sampled with a seed
    /// taken from the set's id (so the same set always splits the same way).
    public var roles: ModelRoles {
        let n = weights.count
        if let declared = manifest.searchModels {
            let search = declared.sorted()
            return ModelRoles(search: search, certify: (0..<n).filter { !search.contains($0) }, declared: true)
        }
        let seed = UInt64(id.prefix(16), radix: 16) ?? 0
        let search = Self.sampleIndices(Self.defaultSearchCount(models: n), of: n, seed: seed)
        return ModelRoles(search: search, certify: (0..<n).filter { !search.contains($0) }, declared: false)
    }

    /// The models at `indices`, in that order, as a set of their own (for an `Ensemble`).
    /// Its `id` is that of the subset; certificates keep naming the whole set.
    public func subset(_ indices: [Int]) -> ModelSet {
        var m = manifest
        m.models = indices.map { manifest.models[$0] }
        m.nModels = m.models.count
        m.searchModels = nil
        return ModelSet(directory: directory, manifest: m, weights: indices.map { weights[$0] })
    }
}
