import CertMath
import CertStore
import Foundation

/// The storage-update benchmark's store: `regions` regions made from real digits with small
/// seeded jitter, each labelled as its digit was certified, written to LMDB once and cached.
///
/// Region i: a digit drawn uniformly (SplitMix64, `seed`) from the digits given, every pixel
/// moved by uniform(−jitter, jitter) and clamped to [0, 1]; label and radius max(R, 0) of that
/// digit's real verdict (`BenchVerdicts`). The store is what certssbd would hold without the
/// storage-update's trims (no invariant is enforced), which only makes more regions reachable.
/// With `shuffled` labels (a stress test, not a daemon's store) each region takes the verdict of
/// another digit drawn uniformly, so about half of every digit's jittered copies overlap with
/// another label. The inputs to decide come from the digit recipe on another stream (`items`).
public struct BenchRegionStore {
    /// What the store is made from; a cached store is used only when its marker records equal
    /// parameters (the verdicts come from `BenchVerdicts`, keyed by the same set and digits).
    public struct Parameters: Codable, Sendable, Equatable {
        /// Regions written, at sequences 1 … `regions` (10⁶ in the README's run).
        public var regions: Int
        /// Seed of the SplitMix64 draws: stream 0 makes the store, other streams inputs (`items`).
        public var seed: UInt64
        /// Half-width of the uniform noise added to every pixel before clamping to [0, 1].
        public var jitter: Float
        /// The model set whose verdicts label the regions; the store is opened for it, and its
        /// first 12 characters name the cache.
        public var modelSetID: String
        /// How many digits the regions are drawn from; `open` needs that many digits and verdicts.
        public var digits: Int
        /// Each region labelled by the verdict of a random digit, not its own.
        public var shuffled: Bool

        /// Parameters as given; by default each region takes its own digit's verdict.
        public init(regions: Int, seed: UInt64, jitter: Float, modelSetID: String, digits: Int, shuffled: Bool = false) {
            self.regions = regions; self.seed = seed; self.jitter = jitter; self.modelSetID = modelSetID; self.digits = digits
            self.shuffled = shuffled
        }

        /// The cache directory's name: every parameter that changes the store.
        public var key: String {
            "regions-\(regions)-seed-\(seed)-jitter-\(jitter)-digits-\(digits)-set-\(modelSetID.prefix(12))" + (shuffled ? "-shuffled" : "")
        }
    }

    /// Written after the last region, so a half-built store is rebuilt, not used.
    struct Marker: Codable { var parameters: Parameters; var buildSeconds: Double }

    /// The open LMDB store: region i (from 0) at sequence i + 1, under the hash `sha(i)`.
    public let store: CertStore
    /// What the store was built from.
    public let parameters: Parameters
    /// Seconds it took to write the store (when it was built, maybe by an earlier run).
    public let buildSeconds: Double
    /// True when this run built it.
    public let builtNow: Bool

    /// Opens the cached store under `cache`, building it first if needed.
    public static func open(
        cache: String, parameters: Parameters, digits: [[Float]], verdicts: BenchVerdicts,
        progress: (String) -> Void
    ) throws -> BenchRegionStore {
        precondition(digits.count == parameters.digits && verdicts.labels.count == digits.count)
        let dir = (cache as NSString).appendingPathComponent(parameters.key)
        let markerPath = (dir as NSString).appendingPathComponent("complete.json")
        let kind = ["benchmark": "storage-update", "parameters": parameters.key]
        if let data = FileManager.default.contents(atPath: markerPath),
            let marker = try? JSONDecoder().decode(Marker.self, from: data), marker.parameters == parameters
        {
            let store = try CertStore.open(directory: dir, modelSetID: parameters.modelSetID, kind: kind)
            return BenchRegionStore(store: store, parameters: parameters, buildSeconds: marker.buildSeconds, builtNow: false)
        }
        try? FileManager.default.removeItem(atPath: dir)
        progress("writing \(parameters.regions) regions to \(dir) (once; about \(parameters.regions * 4096 / 1_000_000) MB)...")
        let t0 = Stopwatch.now()
        let store = try CertStore.open(
            directory: dir, modelSetID: parameters.modelSetID, kind: kind,
            mapSize: max(64 << 20, parameters.regions * 4400))
        var generator = Generator(parameters: parameters, stream: 0)
        let perCommit = 20_000
        for start in stride(from: 0, to: parameters.regions, by: perCommit) {
            let rows = (start..<min(start + perCommit, parameters.regions)).map { _ -> (Int, [Float]) in
                let (digit, pixels) = generator.next(digits)
                return (parameters.shuffled ? generator.rng.uniform(below: digits.count) : digit, pixels)
            }
            try store.batch { b in
                for (offset, row) in rows.enumerated() {
                    let digit = row.0
                    try b.appendRegion(
                        sha256: Self.sha(start + offset), label: verdicts.labels[digit],
                        radius: max(verdicts.radii[digit], 0), input: row.1)
                }
            }
            if (start / perCommit) % 10 == 9 { progress("  \(start + rows.count) of \(parameters.regions)") }
        }
        let seconds = Stopwatch.now() - t0
        try JSONEncoder().encode(Marker(parameters: parameters, buildSeconds: seconds)).write(to: URL(fileURLWithPath: markerPath))
        return BenchRegionStore(store: store, parameters: parameters, buildSeconds: seconds, builtNow: true)
    }

    /// `count` inputs to decide, from the store's recipe on another stream: each with its digit's
    /// verdict (label, certified radius) and a hash no stored region has.
    public static func items(
        _ count: Int, parameters: Parameters, digits: [[Float]], verdicts: BenchVerdicts,
        stream: UInt64
    ) -> [(input: [Float], label: Int, radius: Double, sha256: String)] {
        var generator = Generator(parameters: parameters, stream: stream)
        return (0..<count).map { n in
            let (digit, pixels) = generator.next(digits)
            return (pixels, verdicts.labels[digit], verdicts.radii[digit], sha(Int(stream) << 40 | n))
        }
    }

    /// A 64-digit hex "hash" naming region `i` (the benchmark needs distinct keys, not digests).
    static func sha(_ i: Int) -> String {
        let hex = String(UInt64(i), radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }

    struct Generator {
        var rng: SplitMix64
        let jitter: Float

        init(parameters: Parameters, stream: UInt64) {
            rng = SplitMix64(seed: parameters.seed &+ stream &* 0x9E37_79B9_7F4A_7C15)
            jitter = parameters.jitter
        }

        mutating func next(_ digits: [[Float]]) -> (Int, [Float]) {
            let d = rng.uniform(below: digits.count)
            var out = digits[d]
            var i = 0
            while i < out.count {
                let r = rng.next()  // two uniforms of 32 bits each
                for h in 0..<2 where i < out.count {
                    let u = Float(UInt32(truncatingIfNeeded: r >> (32 * UInt64(h)))) * 0x1p-32
                    out[i] = min(1, max(0, out[i] + (2 * u - 1) * jitter))
                    i += 1
                }
            }
            return (d, out)
        }
    }
}
