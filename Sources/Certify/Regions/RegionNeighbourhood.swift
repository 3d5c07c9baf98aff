/// A stored region the storage-update rule has to look at, with the exact values it decides on.
public struct RegionCandidate: Sendable, Equatable {
    /// 0-based commit order.
    public var position: Int
    /// c_j, never the label of the input it is a candidate for.
    public var label: Int
    /// R_j as stored.
    public var radius: Double
    /// ||x − x_j||, summed in float64 in a fixed order (`RegionIndex.exactDistance`).
    public var distance: Double

    /// A candidate from its fields.
    public init(position: Int, label: Int, radius: Double, distance: Double) {
        self.position = position; self.label = label; self.radius = radius; self.distance = distance
    }
}

/// The stored regions a ball may reach: what the storage-update rule asks of an index. A
/// brute-force implementation hands over every region; the region index only those its proven
/// screen cannot exclude. Either way the rule decides on exact values, so both decide alike.
public protocol RegionNeighbourhood {
    /// Calls `body`, in commit order, for stored regions whose label is not `label`: at least
    /// every one the ball (x, radius) reaches — exact distance < radius + R_j in float64 —
    /// possibly more (the rule re-checks each).
    mutating func forEachCandidate(excluding label: Int, radius: Double, _ body: (RegionCandidate) throws -> Void) throws
    /// The lowercase hex SHA-256 of the region at `position`.
    func sha256(at position: Int) throws -> String
}

extension RegionIndex {
    /// ||x − x_j|| summed in a fixed order in float64, with no cancellation (for pixel-range values
    /// the differences of float32 values are exact in float64): the reference every decision uses.
    @inline(__always)
    static func exactDistance(_ x: [Double], _ v: some RegionValues) -> Double {
        var s = 0.0
        for i in 0..<x.count {
            let d = x[i] - Double(v[i])
            s += d * d
        }
        return s.squareRoot()
    }

    /// The exact radius and distance of the region at `position` (resident, or from `reader`),
    /// or nil when a quick float64 distance proves it out of reach of a ball of `radius`
    /// (`RegionScreen.quickExcludes`): such a region could not change the rule's decision.
    func candidate(
        _ position: Int, label: Int, x: [Double], radius: Double,
        reader: (any RegionArchiveReader)?
    ) throws -> RegionCandidate? {
        if position >= residentStart {
            let r = resident[position - residentStart]
            return r.input.withUnsafeBytes { raw in
                Self.candidate(position, label: r.label, radius: r.radius, x: x, ball: radius, input: raw, native: true)
            }
        }
        guard let reader else { preconditionFailure("region \(position) is archived: a reader is needed") }
        return try reader.withRegion(at: position) { a in
            try Self.checkLength(a.values, dimension: dimension, position: position)
            guard a.label == label else {
                throw RegionArchiveError(reason: "region at position \(position) has label \(a.label), the index has \(label)")
            }
            return Self.candidate(position, label: a.label, radius: a.radius, x: x, ball: radius, input: a.input, native: false)
        }
    }

    /// `native`: the input's bytes are this host's float32 (a resident `[Float]`), else
    /// little-endian (the archive's).
    private static func candidate(
        _ position: Int, label: Int, radius: Double, x: [Double], ball: Double,
        input: UnsafeRawBufferPointer, native: Bool
    ) -> RegionCandidate? {
        #if _endian(little)
            let quick = x.withUnsafeBufferPointer { RegionScreen.quickSquaredDistance($0, input.baseAddress!) }
            if RegionScreen.quickExcludes(quick, reach: ball + radius, dimension: x.count) { return nil }
        #endif
        let d = native ? exactDistance(x, input.assumingMemoryBound(to: Float.self)) : exactDistance(x, LittleEndianFloats(raw: input))
        return RegionCandidate(position: position, label: label, radius: radius, distance: d)
    }

    func label(at position: Int) -> Int? {
        position >= residentStart ? resident[position - residentStart].label : nil
    }

    /// ||x − x_j|| for every region, in commit order (exact; O(n·D), for tests and tools).
    public func distances(to input: [Float], reader: (any RegionArchiveReader)? = nil) throws -> [Double] {
        let x = input.map(Double.init)
        return try (0..<count).map { p in
            if p >= residentStart { return resident[p - residentStart].input.withUnsafeBufferPointer { Self.exactDistance(x, $0) } }
            return try reader!.withRegion(at: p) { Self.exactDistance(x, $0.values) }
        }
    }
}

/// The region index's side of the rule for one input: the survivors of the batch's screen for
/// the first pass (their exact values computed once), a screen made ahead for the guard after
/// an alignment, a fresh screen for any other (label, radius), and an exact check of the regions
/// appended after the screen (earlier items of the batch).
struct IndexNeighbourhood: RegionNeighbourhood {
    /// Survivors of a screen for one (excluded label, radius); they stay a superset of the
    /// regions in reach for any smaller radius.
    struct Screened {
        var label: Int
        var radius: Double
        var survivors: [(position: Int, label: Int)]
    }

    let index: RegionIndex
    let reader: (any RegionArchiveReader)?
    let probe: RegionIndex.Probe
    /// Positions below this are covered by the screens.
    let screened: Int
    let first: Screened
    var guardScreen: Screened?
    var counts = RegionIndex.ScreenCounts()
    private var firstCandidates: [RegionCandidate]?

    init(index: RegionIndex, reader: (any RegionArchiveReader)?, probe: RegionIndex.Probe, screened: Int, first: Screened) {
        self.index = index; self.reader = reader; self.probe = probe; self.screened = screened; self.first = first
    }

    /// The exact values of the first screen's survivors (computed on first use).
    mutating func storedFirstCandidates() throws -> [RegionCandidate] {
        if let c = firstCandidates { return c }
        var c: [RegionCandidate] = []
        for s in first.survivors {
            if let j = try candidate(s.position, label: s.label, radius: first.radius) { c.append(j) }
        }
        firstCandidates = c
        return c
    }

    mutating func forEachCandidate(excluding label: Int, radius: Double, _ body: (RegionCandidate) throws -> Void) throws {
        if first.label == label && first.radius == radius {
            for c in try storedFirstCandidates() { try body(c) }
        } else {
            let stored: [(position: Int, label: Int)]
            if let g = guardScreen, g.label == label, radius <= g.radius {
                stored = g.survivors
            } else {
                stored = index.survivors([probe], labels: [label], radii: [radius], limit: screened, counts: &counts)[0]
            }
            for s in stored {
                if let c = try candidate(s.position, label: s.label, radius: radius) { try body(c) }
            }
        }
        for p in screened..<index.count {
            guard let l = index.label(at: p) else { preconditionFailure("unscreened regions are resident") }
            if l != label, let c = try candidate(p, label: l, radius: radius) { try body(c) }
        }
    }

    /// `RegionIndex.candidate`, counted when it takes an exact distance.
    private mutating func candidate(_ position: Int, label: Int, radius: Double) throws -> RegionCandidate? {
        let c = try index.candidate(position, label: label, x: probe.x, radius: radius, reader: reader)
        if c != nil { counts.exact += 1 }
        return c
    }

    func sha256(at position: Int) throws -> String {
        if position >= index.residentStart { return index.resident[position - index.residentStart].sha256 }
        guard let reader else { preconditionFailure("region \(position) is archived: a reader is needed") }
        return try reader.sha256(at: position)
    }
}
