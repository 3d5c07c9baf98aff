import Foundation
import Testing

@testable import CertDaemon

/// The bodies the daemon writes: Codable, one encoder, the API's key names.
@Suite struct ReplyBodyTests {
    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func errorBodyEscapesWhatJSONNeeds() throws {
        let bytes = HTTPErrorBody.render(code: "bad", message: "a \"quoted\"\nline\\ with\ttab")
        let error = try #require(try object(bytes)["error"] as? [String: String])
        #expect(error == ["code": "bad", "message": "a \"quoted\"\nline\\ with\ttab"])
    }

    @Test func aMissingVerdictInAPageIsAnExplicitNull() throws {
        let page = VerdictPageBody(items: [.init(seq: 7, sha256: String(repeating: "a", count: 64), verdict: nil)], next: 7)
        let text = String(decoding: JSONBody.bytes(page), as: UTF8.self)
        #expect(text == "{\"items\":[{\"seq\":7,\"sha256\":\"\(String(repeating: "a", count: 64))\",\"verdict\":null}],\"next\":7}")
    }

    @Test func healthOmitsReasonsUnlessDegraded() throws {
        let ready = try object(JSONBody.bytes(HealthBody(status: "ready", services: ["watch": "running"])))
        #expect(ready["reasons"] == nil && ready["status"] as? String == "ready")
        let degraded = try object(JSONBody.bytes(HealthBody(status: "degraded", reasons: ["watch folder: gone"], services: [:])))
        #expect(degraded["reasons"] as? [String] == ["watch folder: gone"])
    }

    @Test func statsUseSnakeCaseKeys() throws {
        let stats = StatsBody(
            state: "ready", queueDepth: 1, verdicts: 2, certified: 1, rejected: 0, busySeconds: 0.5,
            uptimeSeconds: 3, modelSet: "id", modelSetDirectory: "/m", storeDirectory: "/s", nModels: 72, regions: 2)
        let keys = Set(try object(JSONBody.bytes(stats)).keys)
        #expect(
            keys == [
                "state", "queue_depth", "verdicts", "certified", "rejected", "busy_seconds", "uptime_seconds",
                "model_set", "model_set_directory", "store_directory", "n_models", "regions",
            ])
    }

    /// Prometheus escapes only backslash, quote and line feed; JSON's \t or \u escapes would be
    /// read back as literal text by Prometheus's parser.
    @Test func prometheusLabelsUseTheExpositionFormatsEscapes() {
        #expect(PrometheusText.label("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"")
        #expect(PrometheusText.label("tab\there é") == "\"tab\there é\"")
    }
}
