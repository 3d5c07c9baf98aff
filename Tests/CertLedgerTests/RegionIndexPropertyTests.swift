import CertLedger
import CertMath
import CertStore
import Certify
import Foundation
import Testing

struct PropertyCase: Sendable, CustomTestStringConvertible {
    var dimension: Int
    var classes: Int
    var regions: Int
    var seed: UInt64
    var testDescription: String { "D=\(dimension), \(classes) classes, \(regions) regions, seed \(seed)" }
}

/// The region index against the naive rule on random stores: every decision equal, field for
/// field and bit for bit (labels, radii, outcomes with the conflict's hash and distance).
@Suite struct RegionIndexPropertyTests {
    static let cases: [PropertyCase] = [
        .init(dimension: 1, classes: 2, regions: 40, seed: 1),
        .init(dimension: 3, classes: 3, regions: 120, seed: 2),
        .init(dimension: 8, classes: 2, regions: 200, seed: 3),
        .init(dimension: 33, classes: 1, regions: 50, seed: 4),
        .init(dimension: 40, classes: 4, regions: 150, seed: 5),
        .init(dimension: 784, classes: 2, regions: 150, seed: 6),
        .init(dimension: 784, classes: 5, regions: 90, seed: 7),
        .init(dimension: 100, classes: 3, regions: 0, seed: 8),
    ]

    @Test(arguments: cases)
    func inMemoryIndexDecidesAsTheNaiveRule(_ c: PropertyCase) throws {
        var gen = RandomRegions(dimension: c.dimension, classes: c.classes, seed: c.seed)
        let stored = gen.store(count: c.regions)
        let index = RegionIndex(dimension: c.dimension, regions: stored)
        var naive = NaiveStorageUpdate(regions: stored)
        let tally = try exercise(index, &naive, &gen) { _, _ in }
        print("in memory, \(c.testDescription):", tally)
    }

    @Test(arguments: cases)
    func lmdbBackedIndexDecidesAsTheNaiveRule(_ c: PropertyCase) throws {
        var gen = RandomRegions(dimension: c.dimension, classes: c.classes, seed: c.seed)
        let stored = gen.store(count: c.regions)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("regions-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try CertStore.open(directory: dir, modelSetID: "m", kind: ["mode": "test"])
        defer { store.close() }
        try store.batch { b in for r in stored { try b.appendRegion(sha256: r.sha256, label: r.label, radius: r.radius, input: r.input) } }
        let index = try RegionIndex(dimension: c.dimension, archive: StoreRegionArchive(store: store))
        #expect(index.count == c.regions && index.residentStart == c.regions)
        var naive = NaiveStorageUpdate(regions: stored)
        let tally = try exercise(index, &naive, &gen) { items, decisions in
            // The ledger's commit: the store takes the batch, then the index lets the copies go.
            try store.batch { b in
                for (item, d) in zip(items, decisions) {
                    try b.appendRegion(sha256: item.sha256, label: d.label, radius: d.radius, input: item.input)
                }
            }
            index.markPersisted()
        }
        print("LMDB, \(c.testDescription):", tally)
        // A restart streams the grown store back into an index that decides alike.
        let reopened = try RegionIndex(dimension: c.dimension, archive: StoreRegionArchive(store: store))
        #expect(reopened.count == naive.regions.count)
        for n in 0..<20 {
            let item = gen.item(9000 + n, near: naive.regions)
            #expect(
                try StorageUpdate.decide(input: item.input, label: item.label, radius: item.radius, index: reopened)
                    == naive.decide(item.input, label: item.label, radius: item.radius))
        }
    }

    /// Single decisions, batches (each compared with the naive rule one at a time, then
    /// committed by `persist`) and a batch whose commit fails (taken back out). Returns how often
    /// each outcome occurred.
    func exercise(
        _ index: RegionIndex, _ naive: inout NaiveStorageUpdate, _ gen: inout RandomRegions,
        persist: ([StorageUpdate.Item], [StorageUpdate.Decision]) throws -> Void
    ) throws -> [String: Int] {
        var tally: [String: Int] = [:]
        var n = 0
        for _ in 0..<30 {
            let item = gen.item(n, near: naive.regions)
            n += 1
            let got = try StorageUpdate.decide(input: item.input, label: item.label, radius: item.radius, index: index)
            let want = naive.decide(item.input, label: item.label, radius: item.radius)
            #expect(got == want, "input \(n)")
            tally[got.region.status, default: 0] += 1
        }
        for round in 0..<5 {
            var items: [StorageUpdate.Item] = []
            var near = naive.regions
            for _ in 0..<(1 + gen.below(24)) {
                let item = gen.item(n, near: near)
                n += 1
                items.append(item)
                near.append(IndexedRegion(sha256: item.sha256, label: item.label, radius: max(item.radius, 0), input: item.input))
            }
            let before = index.count
            let got = try StorageUpdate.decideBatch(items, index: index)
            #expect(index.count == before + items.count)
            if round == 2 {
                // A failed commit: the batch's regions come back out, and nothing else changes.
                index.truncate(to: before)
                var trial = naive
                #expect(got == items.map { trial.decideAndStore($0) }, "batch \(round)")
                continue
            }
            let want = items.map { naive.decideAndStore($0) }
            #expect(got == want, "batch \(round)")
            for d in got { tally[d.region.status, default: 0] += 1 }
            try persist(items, got)
        }
        return tally
    }

    @Test func aBatchDecidesAsOneInputAtATime() throws {
        var gen = RandomRegions(dimension: 64, classes: 3, seed: 42)
        let stored = gen.store(count: 300)
        let batched = RegionIndex(dimension: 64, regions: stored)
        let single = RegionIndex(dimension: 64, regions: stored)
        var items: [StorageUpdate.Item] = []
        var near = stored
        for n in 0..<64 {
            let item = gen.item(n, near: near)
            items.append(item)
            near.append(IndexedRegion(sha256: item.sha256, label: item.label, radius: max(item.radius, 0), input: item.input))
        }
        let got = try StorageUpdate.decideBatch(items, index: batched)
        let want = try items.map { item in
            let d = try StorageUpdate.decide(input: item.input, label: item.label, radius: item.radius, index: single)
            single.append(IndexedRegion(sha256: item.sha256, label: d.label, radius: d.radius, input: item.input))
            return d
        }
        #expect(got == want)
        #expect(Set(got.map(\.region.status)).count >= 2)
    }

    @Test func aNonFiniteItemFailsTheBatchAndLeavesTheIndexAlone() throws {
        var gen = RandomRegions(dimension: 5, classes: 2, seed: 9)
        let index = RegionIndex(dimension: 5, regions: gen.store(count: 20))
        var items = (0..<4).map { gen.item($0, near: []) }
        items[2].input[1] = .nan
        #expect(throws: StorageUpdate.NonFiniteInput.self) { try StorageUpdate.decideBatch(items, index: index) }
        #expect(index.count == 20)
    }

    /// Points on a few directions of a 784-dimensional space, so the fitted projection keeps
    /// nearly all of every distance; each input's radius puts its ball a few ulps either side of
    /// touching the nearest foreign ball. Only the screen's proven margin keeps the reached ones in.
    @Test func boundaryCasesSurviveANearlyExactProjection() throws {
        var rng = SplitMix64(seed: 77)
        let D = 784
        func unit() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
        func point() -> [Float] {
            var x = [Float](repeating: 0, count: D)
            for i in stride(from: 0, to: D, by: 98) { x[i] = Float(unit() * 4) }
            return x
        }
        let stored = (0..<200).map { i in
            IndexedRegion(sha256: RandomRegions.sha(i), label: i % 2, radius: unit() * 0.5, input: point())
        }
        let index = RegionIndex(dimension: D, regions: stored)
        let naive = NaiveStorageUpdate(regions: stored)
        var outcomes: [String: Int] = [:]
        var counts = RegionIndex.ScreenCounts()
        for trial in 0..<120 {
            let x = point(), c = trial % 2
            // The foreign ball the input's ball meets first: m* = min(d − R_j).
            var r = stored.filter { $0.label != c }.map { NaiveStorageUpdate.distance(x, $0.input) - $0.radius }.min()!
            for _ in 0..<(trial % 4) { r = trial % 3 == 0 ? r.nextUp : r.nextDown }
            let item = StorageUpdate.Item(input: x, label: c, radius: r, sha256: RandomRegions.sha(5000 + trial))
            let got = try StorageUpdate.decideBatch([item], index: index, counts: &counts)[0]
            index.truncate(to: stored.count)
            #expect(got == naive.decide(x, label: c, radius: r), "trial \(trial)")
            outcomes[got.region.status, default: 0] += 1
        }
        print("boundary cases:", outcomes, counts)
        #expect(outcomes["trimmed", default: 0] > 0 && outcomes["stored", default: 0] > 0)
        #expect(counts.survivors < counts.pairs)
    }

    /// The screen does its job on clustered data (this is about what it skips, not about time):
    /// most pairs of another label never get an exact distance.
    @Test func theScreenExcludesMostOfAClusteredStore() throws {
        var rng = SplitMix64(seed: 5)
        let D = 784, clusters = 12
        let centres = (0..<clusters).map { _ in (0..<D).map { _ in Float(rng.next() >> 40) / Float(1 << 24) } }
        func near(_ c: Int) -> [Float] { centres[c].map { $0 + Float(Double(rng.next() >> 11) * 0x1p-53 - 0.5) * 0.05 } }
        let stored = (0..<3000).map { i in
            IndexedRegion(sha256: RandomRegions.sha(i), label: (i % clusters) % 2, radius: 0.3, input: near(i % clusters))
        }
        let index = RegionIndex(dimension: D, regions: stored)
        let items = (0..<16).map { n in
            StorageUpdate.Item(input: near(n % clusters), label: 1 - (n % clusters) % 2, radius: 0.5, sha256: RandomRegions.sha(9000 + n))
        }
        var counts = RegionIndex.ScreenCounts()
        let got = try StorageUpdate.decideBatch(items, index: index, counts: &counts)
        var naive = NaiveStorageUpdate(regions: stored)
        #expect(got == items.map { naive.decideAndStore($0) })
        print("clustered store:", counts)
        #expect(counts.pairs > 0 && counts.survivors * 4 < counts.pairs)
    }
}
