import CertPipeline
import CertTestSupport
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import CertDaemon

/// The connection's handlers (the server's own pipeline: read timeout, NIO's HTTP/1.1 codec
/// with pipelining, ours) on an embedded channel: bytes in, bytes out, and a loop clock that
/// moves only when the test moves it. So a limit crossed by one byte mid-body, the order of
/// pipelined answers, heartbeats and a read timeout are exact, on any machine.
@Suite(.timeLimit(.minutes(10))) struct HTTPConnectionHandlerTests {
    @Test func anUploadCrossingTheLimitMidBodyIs413AndNeverReachesTheService() async throws {
        let limits = HTTPServer.Limits(maxUploadBytes: 1024, readTimeout: .seconds(30), maxConnections: 8)
        let connection = try await EmbeddedConnection(limits: limits)
        // Chunked, so no declared length: the count of streamed bytes decides.
        try await connection.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        try await connection.send("200\r\n" + String(repeating: "a", count: 512) + "\r\n")
        try await connection.send("200\r\n" + String(repeating: "a", count: 512) + "\r\n")
        #expect(try await connection.received().isEmpty, "1024 bytes are within the limit")
        try await connection.send("1\r\na\r\n")

        let answer = try #require(try await connection.responses(1).first)
        #expect(answer.status == 413 && answer.headers["connection"] == "close", "\(answer)")
        #expect(answer.body.contains("payload_too_large") && answer.body.contains("exceeds 1024 bytes"), "\(answer.body)")
        try await connection.channel.closeFuture.get()
        #expect(await connection.service.stats().body == Array(#"{"verdicts":0}"#.utf8), "nothing was certified")
    }

    @Test func anUploadOfExactlyTheLimitIsCertified() async throws {
        let limits = HTTPServer.Limits(maxUploadBytes: 1024, readTimeout: .seconds(30), maxConnections: 8)
        let connection = try await EmbeddedConnection(limits: limits)
        try await connection.send(
            "POST /v1/certify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "400\r\n" + String(repeating: "b", count: 1024) + "\r\n0\r\n\r\n")
        let answer = try #require(try await connection.responses(1).first)
        #expect(answer.status == 200 && jsonObject(answer.body)?["bytes"] as? Int == 1024, "\(answer)")
        try await connection.close()
    }

    @Test func pipelinedRequestsAreAnsweredInTheirOrder() async throws {
        let connection = try await EmbeddedConnection()
        let service = connection.service
        // Three requests in one write; the first waits in the service until the test opens the gate.
        try await connection.send(
            "POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\ngated"
                + "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfast1")
        #expect(try await Wait.untilAsync { service.started.withLock { $0 } == 1 })
        await connection.channel.testingEventLoop.run()
        #expect(try await connection.received().isEmpty, "nothing overtakes the first answer")
        #expect(await service.stats().body == Array(#"{"verdicts":0}"#.utf8), "the third request waits its turn")

        service.gate.withLock { $0 = true }
        let answers = try await connection.responses(3)
        #expect(answers.map(\.status) == [200, 200, 200])
        #expect(jsonObject(answers[0].body)?["sha256"] as? String == DictionaryService.fakeSHA(Array("gated".utf8)))
        #expect(jsonObject(answers[1].body)?["status"] as? String == "ok")
        #expect(jsonObject(answers[2].body)?["sha256"] as? String == DictionaryService.fakeSHA(Array("fast1".utf8)))
        #expect(connection.channel.isActive, "keep-alive: the connection stays open")
        try await connection.close()
    }

    @Test func aClientThatStopsSendingGets408AtTheReadTimeout() async throws {
        let connection = try await EmbeddedConnection(limits: Self.shortReadTimeout)
        try await connection.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        #expect(try await connection.received().isEmpty)
        try await connection.letTheReadTimeoutPass()
        let answer = try #require(try await connection.responses(1).first)
        #expect(answer.status == 408 && answer.body.contains("request_timeout"), "\(answer)")
        try await connection.channel.closeFuture.get()
    }

    @Test func waitingOnTheServiceIsNotAReadTimeout() async throws {
        let connection = try await EmbeddedConnection(limits: Self.shortReadTimeout)
        try await connection.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\ngated")
        #expect(try await Wait.untilAsync { connection.service.started.withLock { $0 } == 1 })
        try await connection.letTheReadTimeoutPass()
        #expect(try await connection.received().isEmpty, "the client owes nothing while the service works")
        connection.service.gate.withLock { $0 = true }
        #expect(try await connection.responses(1).first?.status == 200)
        try await connection.close()
    }

    static let shortReadTimeout = HTTPServer.Limits(maxUploadBytes: 1024, readTimeout: .milliseconds(200), maxConnections: 8)

    @Test func expectContinueIsAnsweredBeforeTheBodyIsSent() async throws {
        let connection = try await EmbeddedConnection()
        try await connection.send("POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try #require(try await connection.responses(1).first)
        #expect(interim.status == 100)
        try await connection.send("data")
        let answers = try await connection.responses(2)
        #expect(answers.last?.status == 200 && jsonObject(answers.last?.body ?? "")?["bytes"] as? Int == 4)
        try await connection.close()
    }

    @Test func aQuietEventStreamGetsAHeartbeatEachInterval() async throws {
        let connection = try await EmbeddedConnection(heartbeat: .seconds(15))
        try await connection.send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.received(until: { $0.contains(": subscribed\n\n") }).hasPrefix("HTTP/1.1 200 OK"))
        let loop = connection.channel.testingEventLoop
        await loop.advanceTime(by: .seconds(14))
        #expect(!(try await connection.received().contains(": heartbeat")), "not before the interval")
        await loop.advanceTime(by: .seconds(1))
        #expect(try await connection.received(until: { $0.contains(": heartbeat\n\n") }).contains(": heartbeat"))
        await loop.advanceTime(by: .seconds(15))
        let text = try await connection.received(until: { $0.components(separatedBy: ": heartbeat").count == 3 })
        #expect(text.components(separatedBy: ": heartbeat").count == 3, "one per interval")
        try await connection.close()  // ends the subscription
    }
}

/// One embedded connection: the server's handlers on a `NIOAsyncTestingChannel` (its loop
/// accepts the service's answers from other threads), with everything written out kept as text.
final class EmbeddedConnection: @unchecked Sendable {
    let channel: NIOAsyncTestingChannel
    let service = DictionaryService()
    let limits: HTTPServer.Limits
    private var wire = ""  // touched only by the test's own sequential calls

    init(limits: HTTPServer.Limits = defaultLimits, heartbeat: TimeAmount = .seconds(15)) async throws {
        self.limits = limits
        let service = self.service
        channel = try await NIOAsyncTestingChannel { channel in
            try HTTPServer.addConnectionHandlers(
                to: channel.pipeline.syncOperations, service: service, limits: limits,
                heartbeat: heartbeat, rejecting: false)
        }
        try await channel.connect(to: SocketAddress(unixDomainSocketPath: "/certssbd-test.sock")).get()
    }

    func close() async throws { try await channel.close().get() }

    /// NIO's IdleStateHandler measures idleness on the real clock (`NIODeadline.now()`) but
    /// schedules its checks on the loop's: so the real timeout is let pass first (longer is
    /// fine), then the loop's clock is moved to the check.
    func letTheReadTimeoutPass() async throws {
        try await Task.sleep(for: .milliseconds(300))
        await channel.testingEventLoop.advanceTime(by: limits.readTimeout)
    }

    func send(_ text: String) async throws {
        try await channel.writeInbound(channel.allocator.buffer(string: text))
    }

    /// Everything written so far (the loop is run first, so whatever is due is out).
    func received() async throws -> String {
        await channel.testingEventLoop.run()
        while let buffer = try await channel.readOutbound(as: ByteBuffer.self) { wire += String(buffer: buffer) }
        return wire
    }

    /// Waits for writes until `done` holds for everything written (the suite's time limit
    /// catches a write that never comes).
    func received(until done: (String) -> Bool) async throws -> String {
        var text = try await received()
        while !done(text) {
            let buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            wire += String(buffer: buffer)
            text = try await received()
        }
        return text
    }

    /// The first `count` complete responses (interim 100s included).
    func responses(_ count: Int) async throws -> [WireResponse] {
        var parsed: [WireResponse] = []
        _ = try await received { text in
            parsed = WireResponse.parse(text)
            return parsed.count >= count
        }
        return Array(parsed.prefix(count))
    }
}

/// An HTTP/1.1 response read back from the wire (Content-Length bodies only).
struct WireResponse: CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: String

    var description: String { "\(status) \(headers) \(body)" }

    static func parse(_ text: String) -> [WireResponse] {
        var result: [WireResponse] = []
        var rest = Substring(text)
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."),
                let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
            else { break }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = end.upperBound
            guard rest.utf8.distance(from: bodyStart, to: rest.endIndex) >= length else { break }
            let bodyEnd = rest.utf8.index(bodyStart, offsetBy: length)
            result.append(WireResponse(status: status, headers: headers, body: String(rest[bodyStart..<bodyEnd])))
            rest = rest[bodyEnd...]
        }
        return result
    }
}
