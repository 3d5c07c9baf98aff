import CertEval
import Foundation
import Testing

@Suite struct PaperTableTests {
    static func record(_ label: Int, _ expected: Int, _ r: Double, _ re: Double? = nil) -> EvalRecord {
        EvalRecord(label: label, expected: expected, radius: r, radiusExpected: re ?? r * 2, sigma: 0.12)
    }

    @Test func metricsFollowTheDefinitionsWithStrictRadii() {
        let benign = [Self.record(0, 0, 0.3), Self.record(1, 1, 0.25), Self.record(1, 0, 0.6), Self.record(0, 0, -0.1)]
        let wm = [Self.record(0, 0, 0.5), Self.record(1, 0, 0.9)]
        let t = PaperTable(method: "x", benign: benign, watermarked: wm, radii: [0, 0.25, 0.5])
        // r = 0: certified = first three; correct among them = first two.
        #expect(t.certAcc == [0.5, 0.25, 0])  // r = 0.25: 0.25 is not > 0.25
        #expect(t.certRatio == [0.75, 0.5, 0.25])
        #expect(t.condAcc == [2.0 / 3, 0.5, 0])
        #expect(t.certWmAcc == [0.5, 0.5, 0])
        #expect(t.expectedCertAcc == [0.5, 0.5, 0.25])  // expected radii are doubled: 0.6, 0.5, 1.2, -0.2
    }

    @Test func renderMatchesThePapersLineFormat() {
        let t = PaperTable(method: "x", benign: [Self.record(0, 0, 1)], watermarked: [Self.record(0, 0, 0.1)])
        let lines = t.render().split(separator: "\n").map(String.init)
        #expect(lines.count == 10)
        #expect(lines[0] == "Certified Radius: 0.0 / 0.25 / 0.5 / 0.75 / 1.0 / 1.25 / 1.5 / 1.75 / 2.0 / 2.25 / 2.5")
        #expect(
            lines[1]
                == "Cert acc: 1.00000 / 1.00000 / 1.00000 / 1.00000 / 0.00000 / 0.00000 / 0.00000 / 0.00000 / 0.00000 / 0.00000 / 0.00000")
        #expect(
            lines.map { $0.split(separator: ":")[0] } == [
                "Certified Radius", "Cert acc", "Cert wm acc", "Cert acc", "Cond acc", "Cert ratio",
                "Expected Cert acc", "Expected Cert wm acc", "Expected Cond acc", "Expected Cert ratio",
            ])
    }

    @Test func csvHasOneRowPerRadius() {
        let t = PaperTable(method: "rab", benign: [Self.record(0, 0, 1)], watermarked: [])
        #expect(t.csv().split(separator: "\n").count == 12)
    }

    /// `eval --json` spells its keys like the verdicts and the CSV.
    @Test func jsonKeysAreSnakeCase() throws {
        let t = PaperTable(method: "x", benign: [Self.record(0, 0, 0.3)], watermarked: [], radii: [0])
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(t)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "method", "radii", "cert_acc", "cert_wm_acc", "cond_acc", "cert_ratio", "expected_cert_acc",
                "expected_cert_wm_acc", "expected_cond_acc", "expected_cert_ratio",
            ])
        #expect(try JSONDecoder().decode(PaperTable.self, from: JSONEncoder().encode(t)) == t)
    }
}
