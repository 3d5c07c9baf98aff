import NIOCore

/// Shared by the handlers of one connection (same event loop, so no locking): whether the
/// server is waiting on the client. Only then is a read timeout the client's fault.
final class HTTPConnectionPhase {
    var waitingOnClient = true
    /// Requests received whole so far: a request deadline belongs to the request it was set for.
    var requestsReceived = 0
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

/// Sits in front of the codec: while the client owes us bytes, answers 408 and closes on a read
/// timeout (silence) or at the request deadline (a request still incomplete `requestTimeout`
/// after its first byte: a slow trickle resets no idle timer, so only a deadline ends it).
final class HTTPReadTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let phase: HTTPConnectionPhase
    private let requestTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// `phase.requestsReceived` when the deadline was set: the request it belongs to.
    private var deadlineRequest = -1

    init(phase: HTTPConnectionPhase, requestTimeout: TimeAmount) {
        self.phase = phase
        self.requestTimeout = requestTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The first bytes of a request the client owes start its deadline (bytes pipelined while
        // the service works start none: that request's turn has not come).
        if phase.waitingOnClient, deadlineRequest != phase.requestsReceived {
            deadline?.cancel()
            deadlineRequest = phase.requestsReceived
            let request = deadlineRequest
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: requestTimeout) {
                let (handler, context) = bound.value
                guard handler.phase.waitingOnClient, handler.phase.requestsReceived == request else { return }
                handler.timeOut(context: context, message: "the request did not arrive whole in time")
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Waiting on the service or streaming events: silence from the client is expected.
        guard phase.waitingOnClient else { return }
        timeOut(context: context, message: "no complete request in time")
    }

    private func timeOut(context: ChannelHandlerContext, message: String) {
        phase.waitingOnClient = false
        deadline?.cancel()
        deadline = nil
        let response = HTTPRawResponse.error(
            status: 408, reason: "Request Timeout", code: "request_timeout",
            message: message, allocator: context.channel.allocator)
        let channel = context.channel
        context.writeAndFlush(NIOAny(response)).whenComplete { _ in channel.close(promise: nil) }
    }
}
