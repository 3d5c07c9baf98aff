import CertPipeline
import CertTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import CertDaemon

/// The limits on a request's head and on its time (docs/FUZZING.md, "Limits"), on the server's
/// own pipeline over an embedded channel whose loop clock only the test moves.
@Suite(.timeLimit(.minutes(10))) struct HTTPLimitTests {
    static let limits = HTTPServer.Limits(
        maxUploadBytes: 1024, readTimeout: .seconds(30), requestTimeout: .seconds(2), maxConnections: 8)

    @Test func aHeadOverTheHeaderCapIs431AndTheConnectionCloses() async throws {
        let connection = try await EmbeddedConnection(limits: Self.limits)
        // One header just over the cap, sent before the head ends: NIO stops at the cap.
        let filler = String(repeating: "a", count: HTTPServer.Limits.maxHeaderBytes)
        try await connection.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Filler: \(filler)")
        let answer = try #require(try await connection.responses(1).first)
        #expect(answer.status == 431 && answer.headers["connection"] == "close", "\(answer)")
        #expect(answer.body.contains("headers_too_large") && answer.body.contains("\(HTTPServer.Limits.maxHeaderBytes) bytes"))
        try await connection.channel.closeFuture.get()
    }

    @Test func aHeadUnderTheCapIsServed() async throws {
        let connection = try await EmbeddedConnection(limits: Self.limits)
        let filler = String(repeating: "a", count: HTTPServer.Limits.maxHeaderBytes / 2)
        try await connection.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Filler: \(filler)\r\n\r\n")
        #expect(try await connection.responses(1).first?.status == 200)
        try await connection.close()
    }

    /// A byte every half second never leaves the client silent for `read_timeout_ms`; the request
    /// deadline still ends it two seconds after its first byte.
    @Test func aRequestThatTricklesGets408AtTheRequestDeadline() async throws {
        let connection = try await EmbeddedConnection(limits: Self.limits)
        let loop = connection.channel.testingEventLoop
        try await connection.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        for _ in 0..<3 {
            await loop.advanceTime(by: .milliseconds(500))
            try await connection.send("a")
        }
        #expect(try await connection.received().isEmpty, "1.5 s in: within the deadline")
        await loop.advanceTime(by: .milliseconds(500))
        let answer = try #require(try await connection.responses(1).first)
        #expect(answer.status == 408 && answer.body.contains("request_timeout"), "\(answer)")
        #expect(answer.body.contains("did not arrive whole in time"), "\(answer.body)")
        try await connection.channel.closeFuture.get()
        #expect(await connection.service.stats().body == Array(#"{"verdicts":0}"#.utf8), "nothing was certified")
    }

    /// Each request has its own deadline: requests that each arrive in time on one connection are
    /// served however long the connection lives.
    @Test func theDeadlineIsPerRequestNotPerConnection() async throws {
        let connection = try await EmbeddedConnection(limits: Self.limits)
        let loop = connection.channel.testingEventLoop
        for k in 1...3 {
            try await connection.send("GET /v1/health HTTP/1.1\r\n")
            await loop.advanceTime(by: .milliseconds(1500))
            try await connection.send("Host: x\r\n\r\n")
            let answers = try await connection.responses(k)
            #expect(answers.count == k && answers.allSatisfy { $0.status == 200 }, "\(answers)")
            await loop.advanceTime(by: .milliseconds(1500))
        }
        #expect(connection.channel.isActive)
        try await connection.close()
    }
}
