import CertData
import CertTestSupport
import Foundation
import Testing

/// The support's promises, checked: other tests lean on them.
@Suite struct TestSupportTests {
    @Test func aTemporaryDirectoryExistsAndGoesAwayWithItsValue() throws {
        var directory: TemporaryDirectory? = try TemporaryDirectory("support")
        let path = try #require(directory?.path)
        try Data([1]).write(to: URL(fileURLWithPath: directory!.file("inside")))
        #expect(path.hasPrefix(TemporaryDirectory.processRoot + "/support-") && path.utf8.count < 50, "short enough for sockets")
        #expect(FileManager.default.fileExists(atPath: path + "/inside"))
        directory = nil
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func syntheticDigitsAreDistinctReproducibleAndDecodeToTheirShape() throws {
        let pngs = try SyntheticImages.digitPNGs(200)
        #expect(Set(pngs).count == 200, "200 distinct files")
        #expect(try SyntheticImages.digitPNGs(3, first: 10) == Array(pngs[10..<13]), "image i of a seed is fixed")
        #expect(try SyntheticImages.digitPNGs(1, seed: 2) != [pngs[0]], "another seed, other images")
        for png in pngs.prefix(20) {
            let image = try ImageDecoder.decode(png, source: "synthetic", expecting: SyntheticImages.digitShape)
            let ink = image.pixels.filter { $0 > 0.5 }.count
            // Digit-like: mostly black, with strokes covering some of the frame.
            #expect(ink > 10 && ink < 784 / 2, "\(ink) bright pixels")
        }
    }

    @Test func aRandomModelSetIsWrittenOnceAndShared() throws {
        let first = try TestModelSets.random(count: 2, seed: 9)
        #expect(try TestModelSets.random(count: 2, seed: 9) == first)
        #expect(try TestModelSets.random(count: 2, seed: 10) != first)
        #expect(FileManager.default.fileExists(atPath: first + "/manifest.json"))
    }

    @Test(.blockingWork) func aBlockingWorkTestRunsOnTheSupportThreads() {
        #expect(TestExecutors.blocking.isCurrent)
    }

    @Test func otherTestsDoNot() {
        #expect(!TestExecutors.blocking.isCurrent)
    }

    @Test func waitReturnsWhetherTheConditionCameTrue() {
        var polls = 0
        #expect(
            Wait.until(timeout: 5) {
                polls += 1; return polls == 3
            })
        #expect(!Wait.until(timeout: 0.05) { false })
    }

    @Test func aChangedEnvironmentIsRestored() {
        let name = "CERTSSB_TEST_SUPPORT_PROBE"
        ProcessEnvironment.with([name: "set"]) {
            #expect(getenv(name).map { String(cString: $0) } == "set")
        }
        #expect(getenv(name) == nil)
    }
}
