extension StorageUpdate {
    /// One input of a micro-batch: what certification said, and the hash its region is stored under.
    public struct Item: Sendable {
        /// The flattened input, D values (a non-finite one throws `NonFiniteInput`).
        public var input: [Float]
        /// The certified label.
        public var label: Int
        /// The certified radius; negative when not certified (the rule uses max(R, 0)).
        public var radius: Double
        /// Lowercase hex SHA-256 of the input file.
        public var sha256: String

        /// An item from its fields.
        public init(input: [Float], label: Int, radius: Double, sha256: String) {
            self.input = input; self.label = label; self.radius = radius; self.sha256 = sha256
        }
    }

    /// Decides a micro-batch in order and appends each decided region to `index` (resident
    /// until the caller's commit goes through: `markPersisted`, or `truncate` if it fails).
    ///
    /// The same decisions as `decide` then `append`, one item at a time: the stored regions are
    /// screened for every item in one product, and each item is also checked exactly against
    /// the items before it in the batch. A non-finite item throws `NonFiniteInput` before
    /// anything is appended; any other error leaves the index as it was.
    public static func decideBatch(
        _ items: [Item], index: RegionIndex,
        counts: inout RegionIndex.ScreenCounts
    ) throws -> [Decision] {
        for item in items { try checkFinite(item.input, item.radius) }
        let before = index.count
        do {
            return try index.withReader { reader in
                try index.refitIfDue(reader: reader)
                let screened = index.count
                let probes = items.map { index.probe($0.input) }
                let radii = items.map { max($0.radius, 0) }
                let survivors = index.survivors(probes, labels: items.map(\.label), radii: radii, limit: screened, counts: &counts)
                var nears = items.indices.map { i in
                    IndexNeighbourhood(
                        index: index, reader: reader, probe: probes[i], screened: screened,
                        first: .init(label: items[i].label, radius: radii[i], survivors: survivors[i]))
                }
                try screenGuardsAhead(&nears, probes: probes, radii: radii, index: index, screened: screened, counts: &counts)
                var out: [Decision] = []
                for (i, item) in items.enumerated() {
                    let d = try decide(input: item.input, label: item.label, radius: item.radius, near: &nears[i])
                    counts += nears[i].counts
                    index.append(IndexedRegion(sha256: item.sha256, label: d.label, radius: d.radius, input: item.input))
                    out.append(d)
                }
                return out
            }
        } catch {
            index.truncate(to: before)
            throw error
        }
    }

    /// The alignment each item would make on the stored regions alone, and the guard screens
    /// those alignments need, in one product. The earlier items of the batch may still change an
    /// item's alignment; its neighbourhood then screens afresh (a guard screen made ahead serves
    /// only its own label and radii up to its own).
    static func screenGuardsAhead(
        _ nears: inout [IndexNeighbourhood], probes: [RegionIndex.Probe], radii: [Double],
        index: RegionIndex, screened: Int, counts: inout RegionIndex.ScreenCounts
    ) throws {
        var ahead: [(item: Int, label: Int, radius: Double)] = []
        for i in nears.indices {
            var search = DeepestConflict(radius: radii[i])
            for c in try nears[i].storedFirstCandidates() { search.consider(c) }
            if let hit = search.best, hit.m < 0 { ahead.append((i, hit.j.label, -hit.m)) }
        }
        guard !ahead.isEmpty else { return }
        let screens = index.survivors(
            ahead.map { probes[$0.item] }, labels: ahead.map(\.label), radii: ahead.map(\.radius),
            limit: screened, counts: &counts)
        for (k, a) in ahead.enumerated() {
            nears[a.item].guardScreen = .init(label: a.label, radius: a.radius, survivors: screens[k])
        }
    }

    /// `decideBatch` without the counts.
    public static func decideBatch(_ items: [Item], index: RegionIndex) throws -> [Decision] {
        var counts = RegionIndex.ScreenCounts()
        return try decideBatch(items, index: index, counts: &counts)
    }
}

extension RegionIndex {
    /// The neighbourhood of one input screened on its own (`StorageUpdate.decide`).
    func neighbourhood(for input: [Float], label: Int, radius: Double, reader: (any RegionArchiveReader)?) -> IndexNeighbourhood {
        let p = probe(input)
        var counts = ScreenCounts()
        let s = survivors([p], labels: [label], radii: [radius], limit: count, counts: &counts)[0]
        var near = IndexNeighbourhood(
            index: self, reader: reader, probe: p, screened: count, first: .init(label: label, radius: radius, survivors: s))
        near.counts = counts
        return near
    }

    /// Refits the projection when due (`refitDue`).
    func refitIfDue(reader: (any RegionArchiveReader)?) throws {
        if refitDue { try refit(reader: reader) }
    }
}
