import NIOCore

/// Shared by the handlers of one connection (same event loop, so no locking): whether the
/// server is waiting on the client. Only then is a read timeout the client's fault.
final class HTTPConnectionPhase {
    var waitingOnClient = true
}

/// Asks a connection to wind down when the server closes: SSE streams end, others finish.
struct HTTPServerDrainEvent {}

/// Complete HTTP/1.1 error responses written below the HTTP codec, for the cases where no
/// request exists to answer (a read timeout before any head).
enum HTTPRawResponse {
    static func error(status: Int, reason: String, code: String, message: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = HTTPErrorBody.render(code: code, message: message)
        var buffer = allocator.buffer(capacity: 160 + body.count)
        buffer.writeString("HTTP/1.1 \(status) \(reason)\r\n")
        buffer.writeString("Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
        buffer.writeBytes(body)
        return buffer
    }
}

/// Sits in front of the codec: on a read timeout while the client owes us bytes, answers 408 and closes.
final class HTTPReadTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let phase: HTTPConnectionPhase

    init(phase: HTTPConnectionPhase) { self.phase = phase }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Waiting on the service or streaming events: silence from the client is expected.
        guard phase.waitingOnClient else { return }
        phase.waitingOnClient = false
        let response = HTTPRawResponse.error(
            status: 408, reason: "Request Timeout", code: "request_timeout",
            message: "no complete request in time", allocator: context.channel.allocator)
        let channel = context.channel
        context.writeAndFlush(NIOAny(response)).whenComplete { _ in channel.close(promise: nil) }
    }
}
