import CertSigma
import Foundation
import Testing

/// `sigma_search` in a verdict: the seed survives jq and JavaScript, older verdicts still read.
@Suite struct SigmaResultCodingTests {
    static let result = SigmaResult(
        sigma: 1.5, sigma0: 1.25, rule: .search, steps: 14, draws: 2, models: 8,
        seed: 1_995_972_341_077_649_695, radiusEstimate: 0.8, label: 1, stop: .optimum, modelRuns: 224)

    @Test func theSeedIsADecimalStringThatRoundTrips() throws {
        let bytes = try JSONEncoder().encode(Self.result)
        let object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        #expect(object["seed"] as? String == "1995972341077649695")
        #expect(try JSONDecoder().decode(SigmaResult.self, from: bytes) == Self.result)
    }

    @Test func aBareNumberFromAnOlderVerdictStillDecodes() throws {
        var text = String(decoding: try JSONEncoder().encode(Self.result), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"1995972341077649695\"", with: "1995972341077649695")
        #expect(try JSONDecoder().decode(SigmaResult.self, from: Data(text.utf8)).seed == 1_995_972_341_077_649_695)
        let bad = text.replacingOccurrences(of: "1995972341077649695", with: "\"-3\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SigmaResult.self, from: Data(bad.utf8)) }
    }
}
