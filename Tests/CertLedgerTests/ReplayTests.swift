import CertCore
import CertMath
import CertStore
import CertTestSupport
import Certify
import Foundation
import Testing

@testable import CertLedger

/// `RegionLedger.replayStoredVerdicts`: a store the ledger wrote replays to itself; a store
/// whose verdicts and regions disagree does not.
@Suite(.blockingWork) struct ReplayTests {
    @Test func aWrittenStoreReplaysToItselfAndATamperedOneDoesNot() throws {
        let directory = try TemporaryDirectory("replay")
        defer { directory.remove() }
        let set = try ModelSet.load(directory: TestModelSets.shipped)
        let certifier = Certifier(modelSet: set, workers: 2, sigma: .fixedRule)
        let store = try CertStore.open(directory: directory.path + "/db", modelSetID: set.id, kind: certifier.kind)
        defer { store.close() }
        let ledger = try RegionLedger(modelSet: set, store: store)
        // Jittered copies of one digit, closer to each other than their radii, with labels that
        // alternate: what certification said is set by hand, so the rule trims and aligns.
        let base = SyntheticImages.digit(index: 0, seed: 11).pixels
        var rng = SplitMix64(seed: 5)
        let requests = (0..<24).map { i -> CertificationRequest in
            let pixels = base.map { min(max($0 + Float(Double(rng.next() >> 11) * 0x1p-53 - 0.5) * 0.04, 0), 1) }
            return CertificationRequest(pixels: pixels, sha256: Checksum.sha256Hex(Data("jitter \(i)".utf8)), source: "jitter \(i)")
        }
        let template = try certifier.certifyAll([requests[0]])[0]
        var verdicts: [Verdict] = []
        for start in stride(from: 0, to: 24, by: 5) {
            let chunk = (start..<min(start + 5, 24)).map { i -> (request: CertificationRequest, verdict: Verdict) in
                var v = template
                v.sha256 = requests[i].sha256
                v.label = i % 3 == 0 ? 1 : 0
                v.radius = 0.2 + 0.05 * Double(i % 4)
                return (requests[i], v)
            }
            verdicts += try ledger.commit(chunk).map(\.verdict)
        }
        #expect(verdicts.contains { $0.region.status != "stored" }, "the test needs a trim or an alignment")
        let report = try ledger.replayStoredVerdicts(dimension: 784)
        #expect(report.regions == 24 && report.arrivals == 24)
        #expect(report.consistent, "\(report.mismatches)")

        // A verdict whose radius no longer follows from the rule.
        var changed = verdicts[7]
        changed.radius += 0.5
        try store.putVerdict(sha256: requests[7].sha256, json: changed.jsonBytes())
        let tampered = try ledger.replayStoredVerdicts(dimension: 784)
        #expect(!tampered.consistent)
        #expect(tampered.mismatches.count == 1 && tampered.mismatches[0].contains(requests[7].sha256), "\(tampered.mismatches)")
    }
}
