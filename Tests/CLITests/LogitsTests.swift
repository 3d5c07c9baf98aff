import CertTestSupport
import Foundation
import Testing

@Suite(
    "CLI: logits against the authors' reference logits", .blockingWork,
    .enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
struct LogitsTests {
    struct LogitsLine: Decodable {
        var source: String
        var sha256: String
        var model_set: String
        var logits: [Double]
    }

    @Test("clean logits of the reference rows match reference_logits.json within 1e-4, every model and row")
    func matchesReference() throws {
        let fixture = try MNISTFixture.get()
        let images = fixture.referenceImages
        try #require(images.count == fixture.reference.rows.count && images.count == 8)
        #expect(images.map(\.row) == fixture.reference.rows)

        let run = try CLI.run(["logits", "--model-set", fixture.modelSet] + images.map(\.path))
        try #require(run.exited(0), "\(run.summary)")
        #expect(run.stderrLines.isEmpty, "\(run.summary)")
        let lines = try run.stdoutLines.map { try JSONDecoder().decode(LogitsLine.self, from: Data($0.utf8)) }
        try #require(lines.count == images.count, "\(run.summary)")

        let hashes = try CLI.sha256sum(images.map(\.path))
        var worst = 0.0
        for (i, (line, image)) in zip(lines, images).enumerated() {
            #expect(line.source == image.path)
            #expect(line.sha256 == hashes[image.path], "sha256 of \(image.path)")
            #expect(line.model_set == lines[0].model_set && !line.model_set.isEmpty)
            try #require(line.logits.count == 16, "row \(image.row): \(line.logits.count) logits")
            for k in 0..<16 {
                let expected = try #require(fixture.reference.model(k)?.logits[i])
                let diff = abs(line.logits[k] - expected)
                worst = max(worst, diff)
                #expect(diff <= 1e-4, "row \(image.row), model \(k): \(line.logits[k]) vs reference \(expected)")
            }
        }
        print("logits: largest difference from reference_logits.json \(worst)")
    }

    @Test("logits of the same file twice and in another order are the same numbers")
    func orderIndependent() throws {
        let fixture = try MNISTFixture.get()
        let paths = fixture.referenceImages.map(\.path)
        let forward = try CLI.run(["logits", "--workers", "1", "--model-set", fixture.modelSet] + paths)
        let backward = try CLI.run(["logits", "--workers", "2", "--model-set", fixture.modelSet] + paths.reversed())
        try #require(forward.exited(0) && backward.exited(0), "\(forward.summary)\n\(backward.summary)")
        expectSameLines(forward.stdoutLines, backward.stdoutLines.reversed(), "logits, input order reversed")
    }
}
