import CertDaemon
import CertPipeline
import Dispatch
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// Bytes from a client through a connection's real handlers (`HTTPServer.addConnectionHandlers`:
/// the read timeout, NIO's HTTP/1.1 codec with pipelining, ours) on a testing channel, against a
/// service that answers at once. The first byte sets the size of the writes the rest arrives in
/// (0: one write), so requests split anywhere are covered. Every answer is an HTTP/1.x response.
enum HTTPFuzz {
    /// Small limits, so the fuzzer reaches them: 4 KiB uploads.
    static let limits = HTTPServer.Limits(maxUploadBytes: 4096, readTimeout: .seconds(30), maxConnections: 8)

    static func run(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let size = first == 0 ? max(1, rest.count) : Int(first)
        let chunks = stride(from: 0, to: rest.count, by: size).map { Array(rest[$0..<min(rest.count, $0 + size)]) }
        let done = DispatchSemaphore(value: 0)
        Task {
            await session(chunks)
            done.signal()
        }
        done.wait()
    }

    private static func session(_ chunks: [[UInt8]]) async {
        let service = FuzzService()
        let channel: NIOAsyncTestingChannel
        do {
            channel = try await NIOAsyncTestingChannel { channel in
                try HTTPServer.addConnectionHandlers(
                    to: channel.pipeline.syncOperations, service: service, limits: limits, heartbeat: .seconds(15),
                    rejecting: false)
            }
            try await channel.connect(to: SocketAddress(unixDomainSocketPath: "/certssbd-fuzz.sock")).get()
        } catch {
            violated("cannot set up the channel: \(error)")
        }
        var wire: [UInt8] = []
        for chunk in chunks {
            guard channel.isActive else { break }
            // An error the pipeline did not handle ends the connection, as on a socket.
            do { try await channel.writeInbound(channel.allocator.buffer(bytes: chunk)) } catch { break }
            await drain(channel, into: &wire)
        }
        // Let the service's answers (computed off the loop) come back, then the client leaves.
        for _ in 0..<4 {
            await Task.yield()
            await drain(channel, into: &wire)
        }
        if !wire.isEmpty, !wire.starts(with: Array("HTTP/1.".utf8)) {
            violated("the connection wrote something that is not an HTTP/1.x response: \(String(decoding: wire.prefix(80), as: UTF8.self))")
        }
        _ = try? await channel.close().get()
    }

    private static func drain(_ channel: NIOAsyncTestingChannel, into wire: inout [UInt8]) async {
        await channel.testingEventLoop.run()
        while let buffer = try? await channel.readOutbound(as: ByteBuffer.self) {
            wire += buffer.readableBytesView
        }
    }
}

/// Answers every route at once with a small body; certify refuses empty uploads (422) the
/// way a bad image is refused.
final class FuzzService: CertificationService {
    func certify(upload: [UInt8], source: String) async throws -> ServiceReply {
        guard !upload.isEmpty else { throw ServiceError(status: 422, code: "bad_image", message: "empty upload") }
        return ServiceReply(status: 200, body: Array("{\"bytes\":\(upload.count)}".utf8))
    }
    func verdict(sha256: String) async throws -> ServiceReply {
        throw ServiceError(status: 404, code: "not_found", message: "no verdict for \(sha256)")
    }
    func list(after: UInt64, limit: Int) async throws -> ServiceReply {
        ServiceReply(status: 200, body: Array("{\"items\":[],\"next\":\(after)}".utf8))
    }
    func stats() async -> ServiceReply { ServiceReply(status: 200, body: Array("{}".utf8)) }
    func metrics() async -> String { "certssb_verdicts_total 0\n" }
    func triggers() async -> ServiceReply { ServiceReply(status: 200, body: Array("[]".utf8)) }
    func reload() async throws -> ServiceReply { throw ServiceError(status: 500, code: "reload_failed", message: "no") }
    func health() async -> ServiceReply { ServiceReply(status: 200, body: Array("{\"status\":\"ready\"}".utf8)) }
    func version() -> ServiceReply { ServiceReply(status: 200, body: Array("{\"version\":\"fuzz\"}".utf8)) }
    func events() -> AsyncStream<[UInt8]> {
        AsyncStream { continuation in
            continuation.yield(Array("{\"label\":1,\n\"x\":2}".utf8))
            continuation.finish()
        }
    }
}
