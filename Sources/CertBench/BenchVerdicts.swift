import CertCore
import CertSigma
import Certify
import Foundation

/// The (label, radius) of real verdicts, the distribution the storage-update benchmark's regions
/// are drawn from: every digit given is certified once with a model set and certssbd's default
/// certificate (sigma search, Clopper–Pearson, alpha 0.001, sound mode), and the answers are
/// cached in a JSON file keyed by the set and the digits.
public struct BenchVerdicts: Codable, Sendable {
    /// The `ModelSet.id` that certified them; a cache of another set is certified again.
    public var modelSetID: String
    /// How many digits were certified; a cache of another count is certified again.
    public var digits: Int
    /// Per digit, in the order given: the certified label.
    public var labels: [Int]
    /// Per digit, in the same order: the certified radius (negative: not certified).
    public var radii: [Double]
    /// Seconds the certification took, in the run that wrote the file.
    public var seconds: Double

    /// Reads `file`, or certifies `images` with `modelSet` on `workers` threads and writes it.
    public static func load(
        file: String, modelSet: ModelSet, images: [[Float]], workers: Int,
        progress: (String) -> Void
    ) throws -> BenchVerdicts {
        if let data = FileManager.default.contents(atPath: file),
            let cached = try? JSONDecoder().decode(BenchVerdicts.self, from: data),
            cached.modelSetID == modelSet.id, cached.digits == images.count
        {
            return cached
        }
        progress("certifying \(images.count) digits with \(modelSet.directory) once (cached in \(file))...")
        let certifier = Certifier(modelSet: modelSet, workers: workers, options: CertificationOptions(), sigma: SigmaOptions())
        let t0 = Stopwatch.now()
        var out = BenchVerdicts(modelSetID: modelSet.id, digits: images.count, labels: [], radii: [], seconds: 0)
        for start in stride(from: 0, to: images.count, by: 64) {
            let requests = (start..<min(start + 64, images.count)).map {
                CertificationRequest(pixels: images[$0], sha256: String($0), source: "bench")
            }
            for v in try certifier.certifyAll(requests) { out.labels.append(v.label); out.radii.append(v.radius) }
            if start % 640 == 0 { progress("  \(start + requests.count) of \(images.count)") }
        }
        out.seconds = Stopwatch.now() - t0
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONEncoder().encode(out).write(to: URL(fileURLWithPath: file), options: .atomic)
        return out
    }
}
