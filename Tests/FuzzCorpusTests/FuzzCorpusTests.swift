import CertFuzzTargets
import CertTestSupport
import Foundation
import Testing

/// CI's short form of the fuzzing (docs/FUZZING.md): every committed input of
/// `Tests/Fuzz/Corpus/<target>/` (the seeds, what libFuzzer kept, and every crash found, as a
/// regression input) runs through the same target function as the libFuzzer binary. A crash
/// here is a crash there; a target's function traps on a broken invariant.
@Suite("Fuzz corpora", .blockingWork)
struct FuzzCorpusTests {
    static let corpus = PackagePaths.root.appendingPathComponent("Tests/Fuzz/Corpus")

    static func inputs(_ target: FuzzTarget) -> [URL] {
        let folder = corpus.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyCommittedInputRuns(_ target: FuzzTarget) throws {
        let files = Self.inputs(target)
        #expect(!files.isEmpty, "no corpus for \(target.rawValue) under \(Self.corpus.path)")
        for file in files { target.run(Array(try Data(contentsOf: file))) }
    }
}
