import CertPipeline
import CertTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import CertDaemon

// Over a real socket, with curl. Serialized: each test spawns curl processes and the machine
// has two cores. What curl cannot do precisely (a byte limit crossed mid-body, pipelining,
// timeouts) is tested on an embedded channel in HTTPConnectionHandlerTests.
@Suite(.serialized) struct HTTPServerTests {
    @Test func healthAndVersionOverCurl() async throws {
        try await withServer { path, _, _ in
            let health = try await curl(path, ["http://localhost/v1/health"])
            #expect(health.status == 200)
            #expect(jsonObject(health.body)?["status"] as? String == "ok")
            let version = try await curl(path, ["http://localhost/v1/version"])
            #expect(version.status == 200)
            #expect(version.body.contains("\"version\""))
        }
    }

    @Test func certifyThenFetchVerdict() async throws {
        try await withServer { path, _, dir in
            let file = dir + "/image.png"
            let bytes = (0..<5000).map { UInt8($0 % 251) }
            try writeFile(file, Data(bytes))
            let certified = try await curl(path, ["--data-binary", "@" + file, "http://localhost/v1/certify"])
            #expect(certified.status == 200)
            let sha = try #require(jsonObject(certified.body)?["sha256"] as? String)
            #expect(sha == DictionaryService.fakeSHA(bytes))
            #expect(jsonObject(certified.body)?["bytes"] as? Int == 5000)

            let fetched = try await curl(path, ["http://localhost/v1/verdicts/" + sha])
            #expect(fetched.status == 200)
            #expect(fetched.body == certified.body)

            let unknown = try await curl(path, ["http://localhost/v1/verdicts/" + String(repeating: "ab", count: 32)])
            #expect(unknown.status == 404)
            #expect((jsonObject(unknown.body)?["error"] as? [String: Any])?["code"] as? String == "not_found")

            let bad = try await curl(path, ["http://localhost/v1/verdicts/xyz"])
            #expect(bad.status == 400)
            #expect((jsonObject(bad.body)?["error"] as? [String: Any])?["code"] as? String == "bad_sha256")
        }
    }

    @Test func serviceErrorsKeepTheirStatus() async throws {
        try await withServer { path, _, dir in
            let file = dir + "/junk"
            try writeFile(file, Data("notimage at all".utf8))
            let reply = try await curl(path, ["--data-binary", "@" + file, "http://localhost/v1/certify"])
            #expect(reply.status == 422)
            #expect((jsonObject(reply.body)?["error"] as? [String: Any])?["code"] as? String == "not_an_image")
        }
    }

    @Test func listPages() async throws {
        try await withServer { path, _, dir in
            for i in 0..<3 {
                let file = dir + "/img\(i)"
                try writeFile(file, Data([UInt8(i), 1, 2, 3]))
                #expect(try await curl(path, ["--data-binary", "@" + file, "http://localhost/v1/certify"]).status == 200)
            }
            let first = try await curl(path, ["http://localhost/v1/verdicts?limit=2"])
            #expect(first.status == 200)
            let page1 = try #require(jsonObject(first.body))
            #expect((page1["items"] as? [Any])?.count == 2)
            #expect(page1["next"] as? Int == 2)
            let second = try #require(jsonObject(try await curl(path, ["http://localhost/v1/verdicts?after=2&limit=2"]).body))
            #expect((second["items"] as? [[String: Any]])?.first?["seq"] as? Int == 3)
            #expect(second["next"] as? Int == 3)
            #expect(try await curl(path, ["http://localhost/v1/verdicts?after=-1"]).status == 400)
            #expect(try await curl(path, ["http://localhost/v1/verdicts?limit=abc"]).status == 400)
            #expect(try await curl(path, ["http://localhost/v1/verdicts?limit=0"]).status == 400)
        }
    }

    @Test func eventsStreamACommittedVerdict() async throws {
        try await withServer { path, service, dir in
            let stream = try CurlStream(path, "http://localhost/v1/events", extra: ["-i"])
            defer { stream.stop() }
            // Certify only once the subscription exists, or the event would be missed.
            #expect(try await Wait.untilAsync { service.subscriberCount == 1 })
            let file = dir + "/img"
            try writeFile(file, Data([9, 9, 9]))
            let certified = try await curl(path, ["--data-binary", "@" + file, "http://localhost/v1/certify"])
            #expect(try await stream.wait(for: "event: verdict\ndata: \(certified.body)\n\n"), "\(stream.output)")
            #expect(stream.output.hasPrefix("HTTP/1.1 200"))
            #expect(stream.process.isRunning, "the server keeps the stream open")
            // The subscription ends with the connection.
            stream.stop()
            #expect(try await Wait.untilAsync { service.subscriberCount == 0 })
        }
    }

    @Test func uploadOverTheLimitIs413() async throws {
        let limits = HTTPServer.Limits(maxUploadBytes: 1024, readTimeout: .seconds(10), maxConnections: 8)
        try await withServer(limits: limits) { path, _, dir in
            let file = dir + "/big"
            try writeFile(file, Data(count: 64 * 1024))
            let reply = try await curl(path, ["--data-binary", "@" + file, "http://localhost/v1/certify"])
            #expect(reply.status == 413)
            #expect((jsonObject(reply.body)?["error"] as? [String: Any])?["code"] as? String == "payload_too_large")

            // Without a declared length the count of streamed bytes decides.
            let raw = try RawClient(path: path)
            defer { raw.close() }
            raw.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<4 { raw.send("200\r\n" + String(repeating: "a", count: 512) + "\r\n") }
            let answer = await raw.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(answer.contains("payload_too_large"))
        }
    }

    @Test func malformedRequestLineIs400() async throws {
        try await withServer { path, _, _ in
            let raw = try RawClient(path: path)
            defer { raw.close() }
            raw.send("THIS IS NOT HTTP\r\n\r\n")
            let answer = await raw.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(answer.contains("application/json"))
            #expect(answer.contains("\"bad_request\""))
        }
    }

    @Test func unknownPathAndWrongMethod() async throws {
        try await withServer { path, _, _ in
            let missing = try await curl(path, ["http://localhost/v2/nothing"])
            #expect(missing.status == 404)
            #expect(jsonObject(missing.body)?["error"] != nil)
            let raw = try RawClient(path: path)
            defer { raw.close() }
            raw.send("DELETE /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let answer = await raw.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 405"))
            #expect(answer.lowercased().contains("allow: get"))
            let metrics = try await curl(path, ["-i", "http://localhost/metrics"])
            #expect(metrics.body.contains("text/plain; version=0.0.4"))
        }
    }

    @Test func keepAliveServesSeveralRequests() async throws {
        try await withServer { path, _, _ in
            let raw = try RawClient(path: path)
            defer { raw.close() }
            raw.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let answer = await raw.readAll()
            #expect(answer.components(separatedBy: "HTTP/1.1 200").count == 3)
        }
    }

    @Test func readTimeoutIs408() async throws {
        let limits = HTTPServer.Limits(maxUploadBytes: 1024, readTimeout: .milliseconds(300), maxConnections: 8)
        try await withServer(limits: limits) { path, _, _ in
            let raw = try RawClient(path: path)
            defer { raw.close() }
            raw.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
            let answer = await raw.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 408"))
            #expect(answer.contains("request_timeout"))
        }
    }

    @Test func clientLeavingMidUploadDoesNotHurtTheServer() async throws {
        try await withServer { path, _, _ in
            for _ in 0..<3 {
                let raw = try RawClient(path: path)
                raw.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
                raw.send([UInt8](repeating: 7, count: 1000))
                raw.close()
            }
            let health = try await curl(path, ["http://localhost/v1/health"])
            #expect(health.status == 200)
        }
    }

    @Test func staleSocketFileIsReplacedButLiveOnesAndFilesAreNot() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let directory = try TemporaryDirectory("http")
        defer { directory.remove() }
        let dir = directory.path
        let path = dir + "/stale.sock"
        // A socket file with nobody listening, as a crashed daemon leaves it.
        close(try listeningSocket(path: path))
        let server = HTTPServer(service: DictionaryService(), limits: defaultLimits, group: group)
        try await server.bind(path: path, mode: 0o660)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o660)
        #expect(try await curl(path, ["http://localhost/v1/health"]).status == 200)

        // A live server keeps its socket.
        let second = HTTPServer(service: DictionaryService(), limits: defaultLimits, group: group)
        await #expect(throws: HTTPServerError.self) { try await second.bind(path: path, mode: 0o600) }
        try await server.close()

        // A regular file is never deleted.
        let file = dir + "/not-a-socket"
        try writeFile(file, Data("keep".utf8))
        await #expect(throws: HTTPServerError.self) { try await second.bind(path: file, mode: 0o600) }
        #expect(FileManager.default.contents(atPath: file) == Data("keep".utf8))
    }

    @Test func adoptsAListeningSocket() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let directory = try TemporaryDirectory("http")
        defer { directory.remove() }
        let dir = directory.path
        let path = dir + "/activated.sock"
        let fd = try listeningSocket(path: path)
        let server = HTTPServer(service: DictionaryService(), limits: defaultLimits, group: group)
        try await server.adopt(fd: fd)
        let health = try await curl(path, ["http://localhost/v1/health"])
        #expect(health.status == 200)
        try await server.close()
    }

    @Test func closeEndsEventStreams() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let directory = try TemporaryDirectory("http")
        let path = directory.file("drain.sock")
        let service = DictionaryService()
        let server = HTTPServer(service: service, limits: defaultLimits, group: group)
        try await server.bind(path: path, mode: 0o600)
        let stream = try CurlStream(path, "http://localhost/v1/events")
        defer { stream.stop() }
        #expect(try await Wait.untilAsync { service.subscriberCount == 1 })
        try await server.close()
        #expect(try await stream.exit() == 0, "a clean end of the chunked body, not a timeout")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func quietEventStreamsGetHeartbeats() async throws {
        let directory = try TemporaryDirectory("http")
        let path = directory.file("hb.sock")
        let server = HTTPServer(
            service: DictionaryService(), limits: defaultLimits,
            group: MultiThreadedEventLoopGroup.singleton, heartbeat: .milliseconds(100))
        try await server.bind(path: path, mode: 0o600)
        let stream = try CurlStream(path, "http://localhost/v1/events")
        #expect(try await stream.wait(for: ": heartbeat\n\n"), "\(stream.output)")
        stream.stop()
        try await server.close()
        #expect(stream.output.hasPrefix(": subscribed\n\n"))
    }

    @Test func connectionsOverTheLimitGet503() async throws {
        let limits = HTTPServer.Limits(maxUploadBytes: 1024, readTimeout: .seconds(10), maxConnections: 1)
        try await withServer(limits: limits) { path, _, _ in
            let holder = try RawClient(path: path)
            defer { holder.close() }
            holder.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")  // keep-alive: stays open
            let second = try await curl(path, ["http://localhost/v1/health"])
            #expect(second.status == 503)
            #expect(second.body.contains("too_many_connections"))
        }
    }

    @Test func largeUploadWithExpectContinueGetsItsContinue() async throws {
        let limits = HTTPServer.Limits(maxUploadBytes: 8 << 20, readTimeout: .seconds(10), maxConnections: 8)
        try await withServer(limits: limits) { path, _, dir in
            let file = dir + "/large"
            try writeFile(file, Data(count: 3 << 20))
            // Without the server's 100 Continue, curl would send the body after its own
            // timeout (a minute here) and the trace would have no 100 line.
            let reply = try await curl(
                path,
                [
                    "-v", "--expect100-timeout", "60", "-H", "Expect: 100-continue",
                    "--data-binary", "@" + file, "http://localhost/v1/certify",
                ])
            #expect(reply.status == 200)
            #expect(jsonObject(reply.body)?["bytes"] as? Int == 3 << 20)
            #expect(reply.trace.contains("< HTTP/1.1 100 Continue"), "\(reply.trace)")
        }
    }

    @Test func clientLeavingDuringCertificationCancelsIt() async throws {
        try await withServer { path, service, _ in
            let raw = try RawClient(path: path)
            raw.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nhold1234")
            #expect(try await Wait.untilAsync { service.started.withLock { $0 } == 1 }, "the certification began")
            raw.close()
            #expect(try await Wait.untilAsync { service.cancelled.withLock { $0 } == 1 })
            #expect(try await curl(path, ["http://localhost/v1/health"]).status == 200)
        }
    }

    @Test func closeLetsInFlightRequestsFinish() async throws {
        let directory = try TemporaryDirectory("http")
        let path = directory.file("inflight.sock")
        let file = directory.file("slow")
        try writeFile(file, Data("slow image".utf8))
        let service = DictionaryService()
        let server = HTTPServer(service: service, limits: defaultLimits, group: MultiThreadedEventLoopGroup.singleton)
        try await server.bind(path: path, mode: 0o600)
        async let reply = curl(path, ["--data-binary", "@" + file, "http://localhost/v1/certify"])
        #expect(try await Wait.untilAsync { service.started.withLock { $0 } == 1 }, "the request is in flight")
        try await server.close()
        #expect(try await reply.status == 200)
        #expect(try await curl(path, ["http://localhost/v1/health"]).status == 0)  // no longer listening
    }

    @Test func malformedChunkMidBodyIs400() async throws {
        try await withServer { path, _, _ in
            let raw = try RawClient(path: path)
            defer { raw.close() }
            raw.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\nZZ\r\n")
            let answer = await raw.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(answer.contains("bad_request"))
            #expect(try await curl(path, ["http://localhost/v1/health"]).status == 200)
        }
    }
}
