import CertCore
import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real certssbd (shipped model set, generated PNGs: no ../shared) answers every route and
/// every status as its own GET /openapi.json says: each recorded answer's status must be listed
/// for its method and path, its Content-Type and body must fit the listed media type and schema,
/// and the test fails when the document lacks a route, a status or a field, or types one wrong.
@Suite(.serialized, .enabled(if: RunningDaemon.executable != nil, "needs the built certssbd"))
struct OpenAPIConformanceTests {
    /// Every route and method, and 400, 404, 405, 415, 422, 500 and 503, on a daemon with the
    /// default limits.
    @Test func everyRouteAndItsErrorsMatchTheDocument() throws {
        let folder = try TemporaryDirectory("openapi")
        let config = folder.file("certssbd.conf")
        try "batch_window_ms = 20\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try RunningDaemon(extra: ["--config", config])
        defer { _ = daemon.stop() }
        let recorder = ResponseRecorder(socket: daemon.socket, scratch: folder)
        let served = try recorder.curl("GET", "/openapi.json")
        let document = try OpenAPIDescription(JSONValue.parse(served.body))

        var recorded = [served]
        recorded += try routes(recorder, folder)
        recorded += try wrongMethodsAndPaths(recorder, document)
        // A failed reload: the config file no longer parses (the old state keeps serving).
        try "no_such_key = 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        recorded.append(try recorder.curl("POST", "/v1/reload"))
        recorded.append(try recorder.raw("-", nil, "HELLO THERE\r\n\r\n"))
        recorded.append(try overTheConnectionLimit(recorder))

        expectConformance(recorded, document, statuses: [200, 400, 404, 405, 415, 422, 500, 503])
        // Every operation the document lists was called and succeeded.
        for (path, method) in document.operations {
            #expect(
                recorded.contains { $0.method == method && $0.path.flatMap(document.template) == path && $0.status < 300 },
                "\(method) \(path) was not recorded with a 2xx")
        }
        expectBrokenDocumentsFail(recorded, document)
    }

    /// 408, 413 and 429, which need small limits: `read_timeout_ms` 300, `max_upload_bytes`
    /// 4K, `max_queue` 1 with a 3 s batch window.
    @Test func timeoutsLimitsAndAFullQueueMatchTheDocument() throws {
        let folder = try TemporaryDirectory("openapi-limits")
        let daemon = try RunningDaemon(extra: [
            "--read_timeout_ms", "300", "--max_upload_bytes", "4K",
            "--max_queue", "1", "--batch_window_ms", "3000",
        ])
        defer { _ = daemon.stop() }
        let recorder = ResponseRecorder(socket: daemon.socket, scratch: folder)
        let document = try OpenAPIDescription(JSONValue.parse(try recorder.curl("GET", "/openapi.json").body))
        var recorded: [RecordedResponse] = []

        // Half a body, then silence past the read timeout; and half a head.
        let halfBody = "POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 3000\r\n\r\n\u{89}PNG"
        recorded.append(try recorder.raw("POST", "/v1/certify", halfBody))
        recorded.append(try recorder.raw("GET", "/v1/health", "GET /v1/health HTTP/1.1\r\nHost: x\r\n"))
        let big = folder.file("big.bin")
        try Data(repeating: 0x89, count: 5000).write(to: URL(fileURLWithPath: big))
        recorded.append(try recorder.curl("POST", "/v1/certify", contentType: "application/octet-stream", ["--data-binary", "@" + big]))
        recorded.append(try recorder.curl("PUT", "/v1/certify", contentType: "application/octet-stream", ["-T", big]))

        // One upload waits in the batch window; a second one finds the queue full.
        let first = try recorder.start("POST", "/v1/certify", contentType: "image/png", ["--data-binary", "@" + png(folder, 40)])
        let deadline = Date().addingTimeInterval(20)
        while (try? daemon.json("/v1/stats"))?["queue_depth"] as? Int != 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        recorded.append(try recorder.curl("POST", "/v1/certify", contentType: "image/png", ["--data-binary", "@" + png(folder, 41)]))
        recorded.append(try recorder.finish(first))

        expectConformance(recorded, document, statuses: [200, 408, 413, 429])
    }

    // MARK: Recording

    func png(_ folder: TemporaryDirectory, _ seed: Int) throws -> String {
        let path = folder.file("digit-\(seed).png")
        try Data(try DaemonSocketExtrasTests.png(seed)).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Each route with its successes and its own errors.
    func routes(_ r: ResponseRecorder, _ folder: TemporaryDirectory) throws -> [RecordedResponse] {
        var out: [RecordedResponse] = []
        for path in ["/v1/health", "/v1/version", "/v1/stats", "/metrics", "/v1/triggers", "/v1/config", "/openapi.json"] {
            out += [try r.curl("GET", path), try r.curl("HEAD", path)]
        }
        let a = try png(folder, 30), b = try png(folder, 31), c = try png(folder, 32)
        let posted = try r.curl("POST", "/v1/certify", contentType: "image/png", ["--data-binary", "@" + a])
        out.append(posted)
        out.append(try r.curl("PUT", "/v1/certify", contentType: "application/octet-stream", ["-T", b]))
        out.append(try r.curl("POST", "/v1/certify", contentType: "multipart/form-data", ["-F", "file=@\(c);type=image/png"]))
        out.append(try r.curl("POST", "/v1/certify", contentType: "application/octet-stream", ["--data-binary", "not an image"]))
        out.append(try r.curl("POST", "/v1/certify", contentType: "multipart/form-data; boundary=xyz", ["--data-binary", "no parts here"]))

        let sha = try #require(try JSONValue.parse(posted.body)["sha256"]?.string, "\(posted)")
        for target in [
            "/v1/verdicts", "/v1/verdicts?after=1&limit=1", "/v1/verdicts?limit=0", "/v1/verdicts?after=x",
            "/v1/verdicts/\(sha)", "/v1/verdicts/\(sha.uppercased())", "/v1/verdicts/\(String(repeating: "0", count: 64))",
            "/v1/verdicts/abc", "/v1/verdicts/", "/v1/events?after=x",
        ] {
            out.append(try r.curl("GET", target))
        }
        out += [try r.curl("HEAD", "/v1/verdicts"), try r.curl("HEAD", "/v1/verdicts/\(sha)"), try r.curl("HEAD", "/v1/events")]
        // The stored verdicts replayed, then the stream is cut by curl's timeout.
        out.append(try r.curl("GET", "/v1/events?after=0", ["-N", "-m", "2"]))
        out.append(try r.curl("GET", "/v1/events", ["-N", "-m", "2", "-H", "Last-Event-ID: 1"]))
        out.append(try r.curl("POST", "/v1/reload"))
        return out
    }

    /// On every path each method it does not list (405, Allow checked), and paths it does not list (404).
    func wrongMethodsAndPaths(_ r: ResponseRecorder, _ document: OpenAPIDescription) throws -> [RecordedResponse] {
        var out: [RecordedResponse] = []
        for path in document.paths.keys.sorted() {
            let concrete = path.replacingOccurrences(of: "{sha256}", with: String(repeating: "ab", count: 32))
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] where !document.declaredMethods(path).contains(method) {
                out.append(try r.curl(method, concrete))
            }
        }
        for target in ["/", "/v1/nope", "/v2/certify", "/v1/verdicts/\(String(repeating: "ab", count: 32))/more"] {
            out.append(try r.curl("GET", target))
        }
        return out
    }

    /// 256 idle connections fill the daemon's limit; the next request gets 503. Connections are
    /// admitted on several event loops, so one beyond the limit may still be let in: a few are tried.
    func overTheConnectionLimit(_ r: ResponseRecorder) throws -> RecordedResponse {
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<256 { held.append(try r.connect()) }
        Thread.sleep(forTimeInterval: 0.5)
        var answer = try r.raw("GET", "/v1/health", "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        for _ in 0..<3 where answer.status != 503 {
            held.append(try r.connect())
            answer = try r.raw("GET", "/v1/health", "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
        #expect(answer.status == 503 && String(decoding: answer.body, as: UTF8.self).contains("too_many_connections"), "\(answer)")
        return answer
    }

    // MARK: Checking

    func expectConformance(
        _ recorded: [RecordedResponse], _ document: OpenAPIDescription, statuses: Set<Int>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for response in recorded {
            let problems = document.problems(response)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))", sourceLocation: sourceLocation)
        }
        let seen = Set(recorded.map(\.status))
        #expect(
            statuses.isSubset(of: seen), "statuses never recorded: \(statuses.subtracting(seen).sorted())",
            sourceLocation: sourceLocation)
    }

    /// The same recordings against documents broken on purpose: each break must be caught.
    func expectBrokenDocumentsFail(_ recorded: [RecordedResponse], _ document: OpenAPIDescription) {
        let schemas = ["components", "schemas"]
        let breaks: [(String, [String], JSONValue?)] = [
            ("a route removed", ["paths", "/v1/stats"], nil),
            ("a method removed", ["paths", "/v1/certify", "put"], nil),
            ("a status removed", ["paths", "/v1/certify", "post", "responses", "422"], nil),
            ("a verdict field removed", schemas + ["Verdict", "properties", "radius"], nil),
            ("a verdict field's type changed", schemas + ["Verdict", "properties", "label"], .object(["type": .string("string")])),
            ("the seed typed as a number", schemas + ["SigmaResult", "properties", "seed"], .object(["type": .string("integer")])),
            (
                "an error code left out", schemas + ["Error", "properties", "error", "properties", "code"],
                .object(["type": .string("string"), "enum": .array([.string("not_found")])])
            ),
            ("a stats field removed", schemas + ["Stats", "properties", "regions"], nil),
            (
                "the metrics media type changed", ["components", "responses", "MetricsOK", "content"],
                .object(["application/json": .object([:])])
            ),
        ]
        for (what, path, value) in breaks {
            let broken = OpenAPIDescription(document.root.replacing(path, with: value))
            #expect(recorded.contains { !broken.problems($0).isEmpty }, "\(what): no recorded answer disagreed")
        }
    }
}
