import CertMath
import Certify
import Foundation

/// Seeded random stores and inputs that hit the rule's corners: exact ties and duplicates (small
/// integer coordinates), R = 0 regions, inputs inside foreign balls (near or at stored inputs),
/// radii that make balls touch exactly or miss by an ulp, and points a few coordinates apart in
/// a high dimension (where the projection is nearly exact and the screen's margin is all that
/// keeps a boundary case in).
struct RandomRegions {
    let dimension: Int
    let classes: Int
    var rng: SplitMix64
    /// Coordinates that vary (the rest are 0, or small noise for some points).
    let active: Int

    init(dimension: Int, classes: Int, seed: UInt64) {
        self.dimension = dimension
        self.classes = classes
        rng = SplitMix64(seed: seed)
        active = min(dimension, 6)
    }

    mutating func unit() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
    mutating func below(_ n: Int) -> Int { rng.uniform(below: n) }

    mutating func point(near stored: [IndexedRegion]) -> [Float] {
        var x = [Float](repeating: 0, count: dimension)
        switch below(6) {
        case 0, 1:  // small integers: exact distances, ties, duplicates
            for i in 0..<active { x[i] = Float(below(4)) }
        case 2:
            for i in 0..<active { x[i] = Float(unit()) }
        case 3:  // every coordinate (the projection misses part of the distance)
            for i in 0..<dimension { x[i] = Float(unit()) * 0.3 }
            for i in 0..<active { x[i] = Float(below(3)) }
        default:  // at or near a stored input
            guard let s = stored.isEmpty ? nil : stored[below(stored.count)] else { return point(near: []) }
            x = s.input
            if below(3) > 0 {
                let i = below(dimension)
                x[i] += Float(unit() - 0.5) * (below(2) == 0 ? 1e-3 : 0.5)
            }
        }
        return x
    }

    mutating func radius() -> Double {
        switch below(4) {
        case 0: return 0
        case 1: return Double(below(5)) * 0.5
        default: return unit() * 2
        }
    }

    mutating func store(count: Int) -> [IndexedRegion] {
        var out: [IndexedRegion] = []
        for i in 0..<count {
            out.append(IndexedRegion(sha256: Self.sha(i), label: below(classes), radius: radius(), input: point(near: out)))
        }
        return out
    }

    /// Certification's answer for a new input: sometimes negative (not certified), sometimes the
    /// radius that makes it touch a stored ball of another label exactly, or miss it by an ulp.
    mutating func item(_ n: Int, near stored: [IndexedRegion]) -> StorageUpdate.Item {
        let x = point(near: stored)
        let c = below(classes)
        var r: Double
        switch below(6) {
        case 0: r = -unit()
        case 1, 2:
            r = radius()
        default:
            let others = stored.filter { $0.label != c }
            if let s = others.isEmpty ? nil : others[below(others.count)] {
                r = NaiveStorageUpdate.distance(x, s.input) - s.radius
                switch below(3) {
                case 0: r = r.nextUp
                case 1: r = r.nextDown
                default: break
                }
            } else {
                r = radius()
            }
        }
        return StorageUpdate.Item(input: x, label: c, radius: r, sha256: Self.sha(1_000_000 + n))
    }

    /// A well-formed SHA-256 hex string derived from `n`.
    static func sha(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }
}
