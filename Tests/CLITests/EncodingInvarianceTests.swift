import CertCore
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

/// The search is seeded from the decoded pixels, not the file's bytes: the same pixels in a
/// PNG and a PGM get the same sigma, label and radius (their sha256 differ, and a store
/// would keep both).
@Suite(.blockingWork) struct EncodingInvarianceTests {
    @Test(.enabled(if: Paths.executable != nil, Paths.executableSkipReason))
    func samePixelsInPNGAndPGMGiveTheSameVerdict() throws {
        let folder = try TemporaryDirectory("encodings")
        let bytes: [UInt8] = (0..<784).map { (i: Int) -> UInt8 in
            let v: Int = (i * 37 + (i / 28) * 11) % 256
            return UInt8(v)
        }
        let shape = ImageShape(channels: 1, height: 28, width: 28)
        let png = folder.file("digit.png"), pgm = folder.file("digit.pgm")
        try Data(try PNGEncoder.encode(DecodedImage(shape: shape, pixels: bytes.map { Float($0) / 255 }))).write(
            to: URL(fileURLWithPath: png))
        try (Data("P5\n28 28\n255\n".utf8) + Data(bytes)).write(to: URL(fileURLWithPath: pgm))
        let run = try CLI.run(["certify", "--model-set", RunningDaemon.shippedModelSet, "--no-triggers", "--workers", "2", png, pgm])
        #expect(run.status == 0 || run.status == 1, "\(run.summary)")
        let lines = run.jsonLines.compactMap { $0 }
        try #require(lines.count == 2, "\(run.summary)")
        let (a, b) = (lines[0], lines[1])
        #expect(a["sha256"] as? String != b["sha256"] as? String)
        for field in ["label", "sigma", "radius", "certified", "p_a_lower", "n_models"] {
            #expect("\(a[field] ?? "nil")" == "\(b[field] ?? "nil")", "\(field): \(a[field] ?? "nil") vs \(b[field] ?? "nil")")
        }
        let sa = a["sigma_search"] as? [String: Any], sb = b["sigma_search"] as? [String: Any]
        #expect(sa != nil && "\(sa?["seed"] ?? "")" == "\(sb?["seed"] ?? "")")
    }
}

/// `certssb certify` and certssbd under their defaults (search sigma, Clopper–Pearson,
/// alpha 0.001, sigma0 fallback) give the same verdict for the same image; only `region`
/// (the daemon stores it, and a non-certified input enters the store with radius 0),
/// `source` and `created_at` differ.
@Suite(.blockingWork) struct CLIAndDaemonAgreeTests {
    @Test(.enabled(if: Paths.executable != nil, Paths.executableSkipReason))
    func certifyAndTheDaemonGiveTheSameVerdictUnderTheirDefaults() throws {
        let folder = try TemporaryDirectory("agree")
        let shape = ImageShape(channels: 1, height: 28, width: 28)
        let pixels = GaussianNoise(seed: 31).draws(count: 784).map { min(max(0.2 + 0.3 * $0, 0), 1) }
        let png = try PNGEncoder.encode(DecodedImage(shape: shape, pixels: pixels))
        let path = folder.file("digit.png")
        try Data(png).write(to: URL(fileURLWithPath: path))
        let run = try CLI.run(["certify", "--model-set", RunningDaemon.shippedModelSet, "--workers", "2", path])
        let cli = try #require(run.jsonLines.first.flatMap { $0 }, "\(run.summary)")
        let daemon = try RunningDaemon(extra: ["--sigma_rule", "search"])
        defer { _ = daemon.stop() }
        let upload = try daemon.certify(png)
        #expect(upload.code == 200, "\(upload.body)")
        let served = try #require((try? JSONSerialization.jsonObject(with: Data(upload.body.utf8))) as? [String: Any])
        // The store keeps a non-certified input as a point (radius max(R, 0)); nothing else differs.
        let cliRadius = max(cli["radius"] as? Double ?? .nan, 0), servedRadius = served["radius"] as? Double ?? .nan
        #expect(cliRadius == servedRadius, "radius: certify \(cliRadius), certssbd \(servedRadius)")
        for field in [
            "sha256", "label", "certified", "abstained", "margin", "sigma", "p_a_lower", "p_b_upper", "n_models", "bound",
            "bound_alpha", "fallback", "alpha", "mode", "model_set",
        ] {
            #expect(
                "\(cli[field] ?? "nil")" == "\(served[field] ?? "nil")",
                "\(field): certify \(cli[field] ?? "nil"), certssbd \(served[field] ?? "nil")")
        }
        let a = cli["triggers"] as? [[String: Any]], b = served["triggers"] as? [[String: Any]]
        #expect(
            a?.map { "\($0["name"]!) \($0["covered"]!) \($0["label"]!)" } == b?.map { "\($0["name"]!) \($0["covered"]!) \($0["label"]!)" })
    }
}
