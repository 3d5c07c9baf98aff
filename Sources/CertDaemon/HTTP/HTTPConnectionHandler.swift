import CertPipeline
import NIOCore
import NIOHTTP1

/// One connection: streams request bodies under a byte limit, calls the service off the
/// event loop, and writes JSON answers or a server-sent event stream.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        case idle
        /// Head seen; body parts are counted (and kept only for uploads).
        case receiving(route: Result<HTTPRoute, HTTPRouteError>, head: HTTPRequestHead, count: Int)
        case awaitingService(keepAlive: Bool)
        case streaming
        /// Answered early or failed: ignore whatever else arrives until the close lands.
        case closing
    }

    // Not private where HTTPEventStream.swift, the SSE half of this handler, needs them.
    let service: CertificationService
    private let limits: HTTPServer.Limits
    private let phase: HTTPConnectionPhase
    let heartbeat: TimeAmount
    /// Over the connection limit: every request is answered 503, then the connection closes.
    private let rejecting: Bool
    var state = State.idle
    /// The upload so far; outside `state` so appending never copies it.
    private var upload: [UInt8] = []
    /// The service call or event subscription in flight; cancelled when the client leaves.
    var task: Task<Void, Never>?
    var heartbeatTask: RepeatedTask?

    /// The client, read at accept (nil in tests without a socket, or when the kernel refused).
    private let peer: PeerCredentials?

    init(
        service: CertificationService, limits: HTTPServer.Limits, phase: HTTPConnectionPhase, heartbeat: TimeAmount,
        rejecting: Bool = false, peer: PeerCredentials? = nil
    ) {
        self.rejecting = rejecting
        self.peer = peer
        self.service = service
        self.limits = limits
        self.phase = phase
        self.heartbeat = heartbeat
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            receiveHead(context: context, head: head)
        case (.body(let chunk), .receiving(let route, let head, let count)):
            let total = count + chunk.readableBytes
            guard total <= limits.maxUploadBytes else {
                // Stop at the limit: answer now, never read (or keep) the rest.
                return tooLarge(context: context, head: head)
            }
            if case .success(.certify) = route { chunk.withUnsafeReadableBytes { upload.append(contentsOf: $0) } }
            state = .receiving(route: route, head: head, count: total)
        case (.end, .receiving(let route, let head, _)):
            phase.waitingOnClient = false
            phase.requestsReceived += 1
            let body = upload
            upload = []
            dispatch(context: context, route: route, head: head, body: body)
        default:
            break  // parts after an early answer; the connection is closing
        }
    }

    private func receiveHead(context: ChannelHandlerContext, head: HTTPRequestHead) {
        phase.waitingOnClient = true
        if rejecting {
            return respondError(
                context: context, head: head, keepAlive: false, status: .serviceUnavailable,
                code: "too_many_connections", message: "connection limit reached")
        }
        guard PeerCredentials.admits(peer, limits.access) else {
            let who = peer.map { "uid \($0.uid), gid \($0.gid)" } ?? "a client of unknown uid"
            return respondError(
                context: context, head: head, keepAlive: false, status: .forbidden,
                code: "forbidden", message: "\(who) is not in allow_uids or allow_gids")
        }
        let route = HTTPRouter.route(method: head.method, uri: head.uri)
        // A declared length over the limit is refused before any body byte is read.
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxUploadBytes {
            return tooLarge(context: context, head: head)
        }
        if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            // curl waits a second for this before sending large bodies.
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        upload = []
        if case .success(.certify) = route, let length = head.headers.first(name: "content-length").flatMap(Int.init) {
            upload.reserveCapacity(length)  // already checked against the limit
        }
        state = .receiving(route: route, head: head, count: 0)
    }

    private func tooLarge(context: ChannelHandlerContext, head: HTTPRequestHead) {
        upload = []
        respondError(
            context: context, head: head, keepAlive: false, status: .payloadTooLarge,
            code: "payload_too_large", message: "the upload exceeds \(limits.maxUploadBytes) bytes")
    }

    private func dispatch(
        context: ChannelHandlerContext, route: Result<HTTPRoute, HTTPRouteError>,
        head: HTTPRequestHead, body: [UInt8]
    ) {
        let service = self.service
        switch route {
        case .failure(let error):
            var extra = HTTPHeaders()
            if !error.allow.isEmpty { extra.add(name: "allow", value: error.allow.map(\.rawValue).joined(separator: ", ")) }
            respondError(
                context: context, head: head, keepAlive: head.isKeepAlive, status: error.status,
                code: error.code, message: error.message, extra: extra)
        case .success(.version):
            respond(context: context, head: head, keepAlive: head.isKeepAlive, reply: service.version())
        case .success(.events) where head.method == .HEAD:
            // The stream's head alone: nothing is subscribed.
            respond(
                context: context, head: head, keepAlive: head.isKeepAlive, reply: ServiceReply(status: 200, body: []),
                contentType: "text/event-stream")
        case .success(.events(let after)):
            // EventSource sends Last-Event-ID when it reconnects; the query's `after` wins.
            let lastID = head.headers.first(name: "last-event-id").flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            startEvents(context: context, head: head, after: after ?? lastID)
        case .success(.metrics):
            callService(context: context, head: head, contentType: "text/plain; version=0.0.4") {
                ServiceReply(status: 200, body: Array(await service.metrics().utf8))
            }
        case .success(let route):
            callService(context: context, head: head, contentType: "application/json") {
                switch route {
                case .health: return await service.health()
                case .certify: return try await service.certify(upload: try Self.image(in: body, head: head), source: "socket")
                case .verdict(let sha): return try await service.verdict(sha256: sha)
                case .list(let after, let limit): return try await service.list(after: after, limit: limit)
                case .stats: return await service.stats()
                case .triggers: return await service.triggers()
                case .reload: return try await service.reload()
                case .version: return service.version()
                case .endpoint(let path):
                    guard let endpoint = HTTPRouter.endpoints[path] else { preconditionFailure("routed only when registered") }
                    return try await endpoint.call(service)
                case .metrics, .events: preconditionFailure("routed above")
                }
            }
        }
    }

    /// The image of an upload: the body itself, or the first file part of a multipart/form-data
    /// body (`curl -F file=@x.png`); a multipart body without one is a 415 that says what to send.
    static func image(in body: [UInt8], head: HTTPRequestHead) throws -> [UInt8] {
        let contentType = head.headers.first(name: "content-type")
        guard MultipartUpload.isMultipart(contentType), let contentType else { return body }
        do { return try MultipartUpload.firstFile(body, contentType: contentType) } catch {
            throw ServiceError(
                status: 415, code: "unsupported_media_type",
                message:
                    "\(error.reason); send the image's raw bytes (curl --data-binary @FILE or -T FILE) or one file part (curl -F file=@FILE)"
            )
        }
    }

    /// Runs the service off the event loop; the answer comes back on it.
    private func callService(
        context: ChannelHandlerContext, head: HTTPRequestHead, contentType: String,
        _ operation: @escaping @Sendable () async throws -> ServiceReply
    ) {
        state = .awaitingService(keepAlive: head.isKeepAlive)
        let promise = context.eventLoop.makePromise(of: ServiceReply.self)
        task = Task {
            do { promise.succeed(try await operation()) } catch { promise.fail(error) }
        }
        promise.futureResult.assumeIsolated().whenComplete { result in
            self.task = nil
            guard case .awaitingService(let keepAlive) = self.state else { return }  // client left
            switch result {
            case .success(let reply):
                self.respond(context: context, head: head, keepAlive: keepAlive, reply: reply, contentType: contentType)
            case .failure(let error as ServiceError):
                self.respondError(
                    context: context, head: head, keepAlive: keepAlive,
                    status: HTTPResponseStatus(statusCode: error.status), code: error.code, message: error.message)
            case .failure(is CancellationError):
                context.close(promise: nil)
            case .failure(let error):
                self.respondError(
                    context: context, head: head, keepAlive: keepAlive, status: .internalServerError,
                    code: "internal", message: String(describing: error))
            }
        }
    }

    // MARK: Responses

    private func respond(
        context: ChannelHandlerContext, head: HTTPRequestHead, keepAlive: Bool,
        reply: ServiceReply, contentType: String = "application/json"
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        write(
            context: context, head: head, keepAlive: keepAlive, status: HTTPResponseStatus(statusCode: reply.status),
            headers: headers, body: reply.body)
    }

    private func respondError(
        context: ChannelHandlerContext, head: HTTPRequestHead?, keepAlive: Bool,
        status: HTTPResponseStatus, code: String, message: String, extra: HTTPHeaders = [:]
    ) {
        var headers = extra
        headers.add(name: "content-type", value: "application/json")
        write(
            context: context, head: head, keepAlive: keepAlive, status: status, headers: headers,
            body: HTTPErrorBody.render(code: code, message: message))
    }

    private func write(
        context: ChannelHandlerContext, head: HTTPRequestHead?, keepAlive: Bool,
        status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8]
    ) {
        let version = head?.version ?? .http1_1
        var headers = headers
        headers.add(name: "content-length", value: String(body.count))
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if version.major == 1 && version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if let head {
            service.log(request: RequestRecord(method: head.method.rawValue, target: head.uri, status: Int(status.code), peer: peer))
        }
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        // The state moves before `.end` is written: writing it lets the pipeline handler deliver
        // a pipelined request at once, re-entering channelRead.
        phase.waitingOnClient = keepAlive
        state = keepAlive ? .idle : .closing
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func stopTasks() {
        task?.cancel()
        task = nil
        heartbeatTask?.cancel()
        heartbeatTask = nil
    }

    // MARK: Lifecycle and errors

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is HTTPServerDrainEvent {
            endEvents(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client left (maybe mid-upload): drop the body, stop work done on its behalf.
        state = .closing
        upload = []
        stopTasks()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        switch state {
        case .idle, .receiving:
            if let parserError = error as? HTTPParserError, parserError == .headerOverflow {
                // The request line and headers passed NIO's cap (HTTPServer.Limits.maxHeaderBytes).
                respondError(
                    context: context, head: nil, keepAlive: false, status: .requestHeaderFieldsTooLarge,
                    code: "headers_too_large",
                    message: "the request line and headers exceed \(HTTPServer.Limits.maxHeaderBytes) bytes")
                return
            }
            if error is HTTPParserError {
                // Malformed request line or headers: the stream cannot be resynchronised.
                let head: HTTPRequestHead?
                if case .receiving(_, let h, _) = state { head = h } else { head = nil }
                respondError(
                    context: context, head: head, keepAlive: false, status: .badRequest,
                    code: "bad_request", message: "malformed HTTP request: \(error)")
                return
            }
            fallthrough
        default:
            state = .closing
            context.close(promise: nil)
        }
    }
}
