import CertSigma
import Certify
import Foundation
import NIOHTTP1
import Testing

@testable import CertDaemon

/// GET /openapi.json against the router and the Codable bodies, in process: every path and
/// method it lists is routed, every other method is a 405 whose Allow is what it lists, and
/// each body's fields are the schema's. CLITests' OpenAPIConformanceTests checks a real daemon.
@Suite struct OpenAPIDocumentTests {
    static let allMethods: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .DELETE, .PATCH, .OPTIONS, .TRACE]

    func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.reply.body)) as? [String: Any])
    }

    /// The properties of a component schema, or of the items of its array property `path[1]`, and so on.
    func properties(_ path: [String]) throws -> [String: Any] {
        let components = try #require(try document()["components"] as? [String: Any])
        var schema = try #require((components["schemas"] as? [String: Any])?[path[0]] as? [String: Any], "no schema \(path[0])")
        for name in path.dropFirst() {
            let property = (schema["properties"] as? [String: Any])?[name] as? [String: Any]
            schema = try #require(property?["items"] as? [String: Any], "no items at \(path)")
        }
        return try #require(schema["properties"] as? [String: Any], "no properties at \(path)")
    }

    @Test func theServedBytesAreOpenAPI310() async throws {
        let endpoint = try #require(HTTPRouter.endpoints["/openapi.json"])
        #expect(endpoint.method == .GET)
        let reply = try await endpoint.call(DictionaryService())
        #expect(reply.status == 200 && reply.body == OpenAPIDocument.reply.body)
        let doc = try document()
        #expect(doc["openapi"] as? String == "3.1.0")
        #expect((doc["info"] as? [String: Any])?["version"] as? String == DaemonService.version)
        #expect(try HTTPRouter.route(method: .GET, uri: "/openapi.json").get() == .endpoint("/openapi.json"))
    }

    @Test func everyListedMethodIsRoutedAndEveryOtherIs405() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        #expect(paths.count >= 12)
        for (template, item) in paths {
            let uri = template.replacingOccurrences(of: "{sha256}", with: String(repeating: "ab", count: 32))
            let listed = Set(Self.allMethods.filter { item[$0.rawValue.lowercased()] != nil }.map(\.rawValue))
            #expect(!listed.isEmpty, "\(template) lists no method")
            for method in Self.allMethods {
                switch HTTPRouter.route(method: method, uri: uri) {
                case .success:
                    #expect(listed.contains(method.rawValue), "\(method) \(template) is routed but not in the document")
                case .failure(let error):
                    #expect(!listed.contains(method.rawValue), "\(method) \(template) is in the document but refused: \(error)")
                    #expect(
                        error.status == .methodNotAllowed && Set(error.allow.map(\.rawValue)) == listed, "\(method) \(template): \(error)")
                }
            }
        }
        // {sha256} is one segment, so a deeper path is not this route (the document's 404).
        let deeper = HTTPRouter.route(method: .GET, uri: "/v1/verdicts/\(String(repeating: "ab", count: 32))/more")
        #expect(
            throws: HTTPRouteError(
                status: .notFound, code: "not_found",
                message: "no route for /v1/verdicts/\(String(repeating: "ab", count: 32))/more")
        ) { try deeper.get() }
        // The endpoints table is where new JSON routes go: each must be described.
        for (path, endpoint) in HTTPRouter.endpoints {
            #expect(paths[path]?[endpoint.method.rawValue.lowercased()] != nil, "\(endpoint.method) \(path) is not in the document")
        }
    }

    @Test func everyReferenceResolves() throws {
        let doc = try document()
        var refs: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let ref = object["$ref"] as? String { refs.append(ref) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(doc)
        #expect(refs.count > 50)
        for ref in Set(refs) {
            let target = ref.dropFirst(2).split(separator: "/").reduce(doc as Any?) { ($0 as? [String: Any])?[String($1)] }
            #expect(ref.hasPrefix("#/") && target is [String: Any], "\(ref) does not resolve")
        }
    }

    /// Encoded with every optional set, each body has exactly the schema's properties, and its
    /// type has as many stored properties: a field added to a type fails here even when a live
    /// daemon never writes it (a trimmed region, an early-stopping target).
    @Test func bodiesHaveTheSchemasFields() throws {
        let verdict = try Self.fullVerdict()
        func body<T: Encodable>(_ schema: String..., of value: T) -> ([String], Any, [UInt8]) { (schema, value, JSONBody.bytes(value)) }
        let bodies = [
            (["Verdict"], verdict, verdict.jsonBytes()),
            body("RegionRecord", of: verdict.region),
            body("SigmaResult", of: verdict.sigmaSearch!),
            body("TriggerReport", of: verdict.triggers[0]),
            (["Error"], HTTPErrorBody(error: .init(code: "x", message: "y")), HTTPErrorBody.render(code: "x", message: "y")),
            body("Health", of: HealthBody(status: "degraded", reasons: ["r"], services: [:])),
            body("Version", of: VersionBody(version: "v", name: "certssbd")),
            body("Stats", of: Self.stats),
            body("Triggers", of: TriggersBody(plugins: [], refused: [])),
            body("Triggers", "plugins", of: TriggersBody.Plugin(name: "n", version: "1", path: "/p", description: "d")),
            body("Triggers", "refused", of: TriggersBody.Refusal(path: "/p", reason: "r")),
            body("Reload", of: ReloadBody(reloaded: true, modelSet: "m", restartNeeded: [])),
            body("Config", of: ConfigBody(config: [:], restartNeededKeys: [])),
            body("VerdictPage", of: VerdictPageBody(items: [], next: 0)),
            body("VerdictPage", "items", of: VerdictPageBody.Item(seq: 1, sha256: verdict.sha256, verdict: verdict)),
        ]
        for (path, value, bytes) in bodies {
            let properties = try properties(path)
            let keys = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]).keys
            #expect(Set(keys) == Set(properties.keys), "\(path): written \(keys.sorted()), described \(properties.keys.sorted())")
            #expect(Mirror(reflecting: value).children.count == properties.count, "\(path): a stored property the schema lacks?")
        }
    }

    static let stats = StatsBody(
        state: "ready", queueDepth: 0, verdicts: 0, certified: 0, rejected: 0, busySeconds: 0,
        uptimeSeconds: 0, modelSet: "m", modelSetDirectory: "/m", storeDirectory: "/s", nModels: 1, regions: 0)

    /// A verdict with every optional field set, its region trimmed and one trigger report.
    static func fullVerdict() throws -> Verdict {
        let json = """
            {"sha256":"\(String(repeating: "a", count: 64))","model_set":"m","label":1,"label_name":"1","certified":true,
             "abstained":false,"radius":0.5,"radius_expected":0.6,"margin":0.4,"margin_expected":0.5,"sigma":1.25,"sigma0":1.25,
             "p_a":0.9,"p_b":0.1,"p_a_lower":0.8,"p_b_upper":0.2,"scores":[0.1,0.9],"votes":[1,9],"n_models":10,
             "stopped_early":false,"alpha":0.001,"bound_alpha":0.001,"fallback":false,"bound":"hoeffding","mode":"sound",
             "region":{"status":"unstored"},"triggers":[],"source":"socket","created_at":"2025-01-01T00:00:00Z"}
            """
        var verdict = try JSONDecoder().decode(Verdict.self, from: Data(json.utf8))
        verdict.targetRadius = 0.3
        verdict.sigmaSearch = SigmaResult(
            sigma: 1.3, sigma0: 1.25, rule: .search, steps: 3, draws: 1, models: 8, seed: 7,
            radiusEstimate: 0.5, label: 1, stop: .optimum, modelRuns: 24)
        var region = RegionRecord(
            status: "trimmed", conflict: String(repeating: "b", count: 64), conflictDistance: 0.7,
            originalLabel: 1, originalRadius: 0.9)
        region.originalMargin = 0.8; region.originalRadiusExpected = 1; region.originalPA = 0.9; region.originalPB = 0.1
        region.originalPALower = 0.85; region.originalPBUpper = 0.15
        verdict.region = region
        verdict.triggers = [TriggerReport(name: "onepixel", l2: 1, covered: false, label: 1)]
        return verdict
    }
}
