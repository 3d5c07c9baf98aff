extension RegionIndex {
    /// Projections computed per product when loading or refitting.
    static let loadBlock = 256

    /// The index of every region of `archive`, streamed in commit order: a projection fitted on
    /// a seeded sample of them (`RegionProjection.samplePositions`), then one pass projecting
    /// the inputs in blocks. No input is kept: the archive is read again for survivors.
    public convenience init(dimension: Int, archive: any RegionArchive, seed: UInt64 = RegionProjection.defaultSeed) throws {
        let n = try archive.count()
        let projection = try archive.read { reader in
            try Self.fit(dimension: dimension, count: n, seed: seed) { p in
                try reader.withRegion(at: p) { a in
                    try RegionIndex.checkLength(a.values, dimension: dimension, position: p)
                    return (0..<dimension).map { a.values[$0] }
                }
            }
        }
        self.init(dimension: dimension, projection: projection, archive: archive)
        var loader = Loader(index: self)
        try archive.forEach { position, region in
            guard position == count + loader.pending else {
                throw RegionArchiveError(
                    reason:
                        "region at position \(position) where \(count + loader.pending) was expected (the store's sequences must run 1, 2, 3, …)"
                )
            }
            try loader.add(label: region.label, radius: region.radius, input: region.values)
        }
        loader.flush()
        residentStart = count
    }

    /// An index fitted to few regions is refitted (and every region projected again) when it
    /// has grown fourfold, until a fit has seen `RegionProjection.sampleSize` regions.
    var refitDue: Bool {
        projection.fittedOn < RegionProjection.sampleSize && count >= max(64, 4 * projection.fittedOn)
    }

    /// Refits the projection on a seeded sample of the regions and projects them all again.
    /// Changes no decision (the screen is proven for any projection), only what it screens out.
    func refit(reader: (any RegionArchiveReader)?) throws {
        func archived(_ p: Int) -> any RegionArchiveReader {
            guard let reader else { preconditionFailure("archived regions need a reader") }
            return reader
        }
        projection = try Self.fit(dimension: dimension, count: count, seed: projection.seed) { p in
            if p >= residentStart { return resident[p - residentStart].input }
            return try archived(p).withRegion(at: p) { a in (0..<dimension).map { a.values[$0] } }
        }
        let n = count
        partitions = []
        count = 0
        maxNorm = 0
        var loader = Loader(index: self)
        for p in 0..<n {
            if p >= residentStart {
                let r = resident[p - residentStart]
                try r.input.withUnsafeBufferPointer { try loader.add(label: r.label, radius: r.radius, input: $0) }
            } else {
                try archived(p).withRegion(at: p) { try loader.add(label: $0.label, radius: $0.radius, input: $0.values) }
            }
        }
        loader.flush()
    }

    /// The projection fitted on the seeded sample of `count` regions, reading each input with `read`.
    static func fit(dimension: Int, count: Int, seed: UInt64, read: (Int) throws -> [Float]) throws -> RegionProjection {
        let positions = RegionProjection.samplePositions(count: count, seed: seed)
        var rows: [Float] = []
        rows.reserveCapacity(positions.count * dimension)
        for p in positions { rows += try read(p) }
        return RegionProjection.fitted(rows: rows, count: positions.count, dimension: dimension, seed: seed, fittedOn: count)
    }

    static func checkLength(_ values: some RegionValues, dimension: Int, position: Int) throws {
        guard values.count == dimension else {
            throw RegionArchiveError(reason: "region at position \(position) has \(values.count) values, the index expects \(dimension)")
        }
    }

    /// Appends regions (not resident) in commit order, projecting `loadBlock` at a time.
    struct Loader {
        let index: RegionIndex
        /// loadBlock×D, filled row by row (a fixed buffer: this loop reads the whole store at start).
        private var inputs: [Double]
        private var labels: [Int] = []
        private var radii: [Double] = []

        init(index: RegionIndex) {
            self.index = index
            inputs = [Double](repeating: 0, count: RegionIndex.loadBlock * index.dimension)
        }

        var pending: Int { labels.count }

        mutating func add(label: Int, radius: Double, input: some RegionValues) throws {
            let d = index.dimension
            try RegionIndex.checkLength(input, dimension: d, position: index.count + pending)
            guard radius >= 0 && radius.isFinite else {
                throw RegionArchiveError(reason: "region at position \(index.count + pending) has radius \(radius)")
            }
            let base = pending * d
            let s = inputs.withUnsafeMutableBufferPointer { row in
                var s = 0.0
                for t in 0..<d {
                    let v = Double(input[t])
                    row[base + t] = v
                    s += v * v
                }
                return s
            }
            index.noteNorm(of: s.squareRoot())
            labels.append(label); radii.append(radius)
            if labels.count == RegionIndex.loadBlock { flush() }
        }

        mutating func flush() {
            let n = labels.count
            guard n > 0 else { return }
            let k = index.projection.rank
            var features = [Float](repeating: 0, count: n * k)
            inputs.withUnsafeBufferPointer { x in
                features.withUnsafeMutableBufferPointer { f in
                    index.projection.features(block: x.baseAddress!, count: n, into: f.baseAddress!)
                }
            }
            features.withUnsafeBufferPointer { f in
                for i in 0..<n {
                    let row = UnsafeBufferPointer(rebasing: f[(i * k)..<((i + 1) * k)])
                    let nu = row.reduce(0.0) { $0 + Double($1) * Double($1) }
                    index.insert(position: index.count, label: labels[i], radius: radii[i], features: row, nu: nu)
                    index.count += 1
                }
            }
            labels.removeAll(keepingCapacity: true); radii.removeAll(keepingCapacity: true)
        }
    }
}

/// An archive whose records do not fit the index (wrong length, a gap in the sequences).
public struct RegionArchiveError: Error, CustomStringConvertible {
    /// What does not fit, naming the position or sequence.
    public var reason: String
    /// An error for `reason`.
    public init(reason: String) { self.reason = reason }
    /// "region store: " and the reason.
    public var description: String { "region store: \(reason)" }
}
