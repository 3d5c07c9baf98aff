import CertCore
import CertMath
import Certify
import Foundation
import Testing

/// After the storage-update every reported field describes the final label and radius, and
/// what certification alone gave stays under `region` (METHOD.md §2.7).
@Suite struct VerdictRegionTests {
    static func verdict() throws -> Verdict {
        var v = try CertifierTests.certifier().certify([CertifierTests.request])[0].get()
        v.triggers = [
            TriggerReport(name: "small", l2: 0.001, covered: v.radius > 0.001, label: v.label),
            TriggerReport(name: "large", l2: 0.9, covered: v.radius > 0.9, label: v.label),
        ]
        return v
    }

    static func checkConsistent(_ u: Verdict) {
        #expect(abs(u.margin * u.sigma - u.radius) < 1e-12)
        #expect(abs(u.pALower - Normal.cdf(u.margin)) < 1e-15 && abs(u.pBUpper - (1 - u.pALower)) < 1e-15)
        #expect(u.radiusExpected <= u.radius + 1e-15 && abs(u.marginExpected * u.sigma - u.radiusExpected) < 1e-12)
        #expect(u.certified == (u.radius > 0))
        for t in u.triggers { #expect(t.covered == (u.radius > t.l2), "\(t.name)") }
    }

    @Test func trimDescribesTheTrimmedRadius() throws {
        var v = try Self.verdict()
        v.radius = 0.5; v.margin = 0.5 / v.sigma  // as if certified at 0.5
        let trimmed = StorageUpdate.Decision(
            label: v.label, radius: 0.01, outcome: .trimmed(by: "x", distance: 0.3),
            region: RegionRecord(
                status: "trimmed", conflict: "x", conflictDistance: 0.3,
                originalLabel: v.label, originalRadius: 0.5))
        let u = v.updated(by: trimmed, classes: ["0", "1"])
        #expect(u.radius == 0.01 && u.label == v.label)
        Self.checkConsistent(u)
        #expect(u.region.originalMargin == v.margin && u.region.originalPALower == v.pALower && u.region.originalPBUpper == v.pBUpper)
        #expect(u.region.originalRadiusExpected == v.radiusExpected && u.region.originalPA == v.pA)
        #expect(u.triggers.map(\.covered) == [true, false])
        #expect(u.pA == v.pA && u.pB == v.pB)
    }

    @Test func alignDescribesTheNewLabel() throws {
        let v = try Self.verdict()
        let other = 1 - v.label
        let aligned = StorageUpdate.Decision(
            label: other, radius: 0.2, outcome: .aligned(to: "y", distance: 0.1, from: v.label),
            region: RegionRecord(
                status: "aligned", conflict: "y", conflictDistance: 0.1,
                originalLabel: v.label, originalRadius: v.radius))
        let u = v.updated(by: aligned, classes: ["0", "1"])
        #expect(u.label == other && u.labelName == String(other) && u.radius == 0.2 && u.radiusExpected == 0.2)
        Self.checkConsistent(u)
        // The point estimates are those of the new label (vote shares under Clopper–Pearson).
        let share = Double(v.votes[other]) / Double(v.nModels)
        #expect(u.pA == (v.bound == .clopperPearson ? share : v.scores[other]))
        #expect(u.region.originalLabel == v.label && u.region.originalPA == v.pA)
    }

    @Test func storedKeepsTheCertificateButClampsTheRadius() throws {
        let v = try Self.verdict()
        let stored = StorageUpdate.Decision(
            label: v.label, radius: max(v.radius, 0), outcome: .stored, region: RegionRecord(status: "stored"))
        let u = v.updated(by: stored, classes: ["0", "1"])
        #expect(u.radius == max(v.radius, 0) && u.margin == v.margin && u.pALower == v.pALower)
        #expect(u.region.originalMargin == nil)
    }
}
