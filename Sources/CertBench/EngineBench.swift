import CertCore
import CertMath
import Certify
import Foundation

/// Certification in process, as certssbd's batcher drives it: `Certifier.certify` on
/// micro-batches, or on one image at a time for latency.
public enum EngineBench {
    /// `n` distinct images of seeded random pixels, each value a multiple of 1/255, so the
    /// same images encoded as 8-bit PNGs decode to exactly these pixels (the daemon's
    /// benchmark uploads them).
    public static func randomImages(_ n: Int, pixels: Int, seed: UInt64) -> [[Float]] {
        var generator = SplitMix64(seed: seed)
        return (0..<n).map { _ in (0..<pixels).map { _ in Float(generator.next() % 256) / 255 } }
    }

    /// Requests for `images`, named `name[i]`; the SHA-256 is of the pixels (no file bytes).
    public static func requests(_ images: [[Float]], name: String) -> [CertificationRequest] {
        images.enumerated().map { i, pixels in
            var bytes: [UInt8] = []
            pixels.withUnsafeBytes { bytes.append(contentsOf: $0) }
            return CertificationRequest(pixels: pixels, sha256: Checksum.sha256Hex(bytes), source: "\(name)[\(i)]")
        }
    }

    /// Seconds to certify `requests` in micro-batches of `batch` (the daemon's `max_batch`),
    /// in order, and the verdicts. `targets` are the early-stopping targets per request.
    public static func certify(
        _ certifier: Certifier, _ requests: [CertificationRequest], batch: Int, targets: [Double?]? = nil
    ) throws -> (seconds: Double, verdicts: [Verdict]) {
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(requests.count)
        let t0 = Stopwatch.now()
        for start in stride(from: 0, to: requests.count, by: batch) {
            let range = start..<min(start + batch, requests.count)
            let results = certifier.certify(Array(requests[range]), targets: targets.map { Array($0[range]) })
            verdicts += try results.map { try $0.get() }
        }
        return (Stopwatch.now() - t0, verdicts)
    }

    /// Milliseconds per image, each certified alone, warm: one image is certified first and
    /// not counted, so the weights are paged in and the workers' buffers exist.
    public static func latencies(_ certifier: Certifier, _ requests: [CertificationRequest], targets: [Double?]? = nil) throws
        -> [Double]
    {
        _ = try certifier.certify([requests[0]], targets: targets.map { [$0[0]] })[0].get()
        return try requests.indices.map { i in
            let t0 = Stopwatch.now()
            _ = try certifier.certify([requests[i]], targets: targets.map { [$0[i]] })[0].get()
            return (Stopwatch.now() - t0) * 1e3
        }
    }

    /// Model runs (forward passes) a verdict cost: its sigma search's `model_runs` and its
    /// certificate's `n_models`, plus the other candidate's certificate where one ran too
    /// (`Certifier.certify`: the searched sigma first, sigma0 when that did not certify). The
    /// other pass is counted as every certifying model: exact without a target, an upper bound
    /// with one (it may have stopped early).
    public static func modelRuns(_ verdict: Verdict, certifying: Int) -> Int {
        let search = verdict.sigmaSearch?.modelRuns ?? 0
        let searched = verdict.sigmaSearch?.sigma ?? verdict.sigma
        let secondPass = verdict.fallback || (!verdict.certified && searched != verdict.sigma0 && verdict.mode == .sound)
        return search + verdict.nModels + (secondPass ? certifying : 0)
    }
}
