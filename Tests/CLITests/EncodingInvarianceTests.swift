import CertCore
import CertData
import Foundation
import Testing

/// The search is seeded from the decoded pixels, not the file's bytes: the same pixels in a
/// PNG and a PGM get the same sigma, label and radius (their sha256 differ, and a store
/// would keep both).
@Suite struct EncodingInvarianceTests {
    @Test(.enabled(if: Paths.executable != nil, Paths.executableSkipReason))
    func samePixelsInPNGAndPGMGiveTheSameVerdict() throws {
        let folder = try TemporaryFolder("encodings")
        let bytes: [UInt8] = (0..<784).map { (i: Int) -> UInt8 in
            let v: Int = (i * 37 + (i / 28) * 11) % 256
            return UInt8(v)
        }
        let shape = ImageShape(channels: 1, height: 28, width: 28)
        let png = folder.file("digit.png"), pgm = folder.file("digit.pgm")
        try Data(try PNGEncoder.encode(DecodedImage(shape: shape, pixels: bytes.map { Float($0) / 255 }))).write(to: URL(fileURLWithPath: png))
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
