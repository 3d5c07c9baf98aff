import CertCore
import CertScheduler
import CertSigma
import CertTestSupport
import Foundation
import Testing

@testable import Certify

/// The engine against the one it replaced: `Fixtures/previous-engine.json` holds what the
/// engine before fused epilogues, fixed-order heads and fp16 widening computed (commit
/// 1192b03, OpenBLAS Haswell kernel) for 16 synthetic digits on the shipped set: every
/// model's logits, clean and at noise scale 0.5, and the default configuration's verdicts.
/// Logits may differ in the last bits between BLAS kernels, so they are compared within
/// 1e-4; the labels and certified flags must be equal.
///
/// Regenerate (only when a change of results is intended, and say why in the commit):
/// `CERTSSB_WRITE_ENGINE_FIXTURE=1 swift test --disable-xctest --filter EngineRegressionTests`.
@Suite(.blockingWork) struct EngineRegressionTests {
    struct Fixture: Codable {
        var images: Int
        var seed: UInt64
        /// [image][model], clean.
        var clean: [[Float]]
        /// [image][model], noise scale 0.5.
        var noisy: [[Float]]
        var labels: [Int]
        var certified: [Bool]
        var radii: [Double]
    }

    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/previous-engine.json")
        .path

    func compute(images: Int, seed: UInt64) throws -> Fixture {
        let set = try ModelSet.load(directory: TestModelSets.shipped)
        let ensemble = Ensemble(modelSet: set)
        let scheduler = NoiseBatchScheduler(ensemble: ensemble, workers: 2)
        let pixels = (0..<images).map { SyntheticImages.digit(index: $0, seed: seed).pixels }
        let prepared = pixels.map(ensemble.prepare)
        let clean = scheduler.logits(images: prepared, scales: pixels.map { _ in 0 })
        let noisy = scheduler.logits(images: prepared, scales: pixels.map { _ in 0.5 })
        let certifier = Certifier(modelSet: set, workers: 2, sigma: SigmaOptions())
        let verdicts = try certifier.certifyAll(
            pixels.enumerated().map { CertificationRequest(pixels: $0.element, sha256: String($0.offset), source: "digit \($0.offset)") })
        return Fixture(
            images: images, seed: seed, clean: clean, noisy: noisy, labels: verdicts.map(\.label),
            certified: verdicts.map(\.certified), radii: verdicts.map(\.radius))
    }

    @Test func theEngineAgreesWithThePreviousOne() throws {
        if ProcessInfo.processInfo.environment["CERTSSB_WRITE_ENGINE_FIXTURE"] == "1" {
            let fixture = try compute(images: 16, seed: 7)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(fixture).write(to: URL(fileURLWithPath: Self.path))
            print("wrote \(Self.path)")
            return
        }
        let previous = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: Self.path)))
        let now = try compute(images: previous.images, seed: previous.seed)
        for (name, a, b) in [("clean", previous.clean, now.clean), ("noisy", previous.noisy, now.noisy)] {
            #expect(a.count == b.count)
            for (i, (rowA, rowB)) in zip(a, b).enumerated() {
                #expect(rowA.count == rowB.count)
                let worst = zip(rowA, rowB).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
                #expect(worst <= 1e-4, "\(name) image \(i): largest relative difference \(worst)")
            }
        }
        #expect(now.labels == previous.labels)
        #expect(now.certified == previous.certified)
        for (i, (a, b)) in zip(previous.radii, now.radii).enumerated() {
            #expect(abs(a - b) <= 1e-3 * max(1, abs(a)), "image \(i): radius \(b), was \(a)")
        }
    }
}
