import CertPipeline
import NIOCore
import NIOHTTP1

// GET /v1/events: server-sent events, one per committed verdict, until either side leaves.
// Each carries `id:` = its arrival sequence; `Last-Event-ID: N` (what EventSource sends on a
// reconnect) or `?after=N` first replays every stored verdict after N.
extension HTTPConnectionHandler {
    func startEvents(context: ChannelHandlerContext, head: HTTPRequestHead, after: UInt64?) {
        state = .streaming
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/event-stream")
        headers.add(name: "cache-control", value: "no-cache")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        // A first comment pushes the head out, so clients know they are subscribed.
        context.writeAndFlush(
            wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: ": subscribed\n\n")))), promise: nil)

        // Everything that writes to the stream goes through the loop and checks the state,
        // so no event or heartbeat can follow the final `.end`.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: heartbeat, delay: heartbeat) { _ in
            // A comment line keeps proxies and idle timers from dropping a quiet stream.
            let (handler, context) = bound.value
            _ = handler.sendOnStream(context: context, ": heartbeat\n\n")
        }
        let stream = service.events(after: after)
        let loop = context.eventLoop
        task = Task {
            for await event in stream {
                // Awaiting each write is the backpressure: a slow reader slows only itself.
                let written = loop.flatSubmit {
                    let (handler, context) = bound.value
                    return handler.sendOnStream(context: context, SSE.event(event, allocator: context.channel.allocator))
                }
                do { try await written.get() } catch { return }
            }
            guard !Task.isCancelled else { return }
            // The service ended the stream (shutting down): finish the response cleanly.
            loop.execute {
                let (handler, context) = bound.value
                handler.endEvents(context: context)
            }
        }
    }

    fileprivate func sendOnStream(context: ChannelHandlerContext, _ text: String) -> EventLoopFuture<Void> {
        sendOnStream(context: context, context.channel.allocator.buffer(string: text))
    }

    fileprivate func sendOnStream(context: ChannelHandlerContext, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard case .streaming = state else {
            return context.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        return context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
    }

    func endEvents(context: ChannelHandlerContext) {
        guard case .streaming = state else { return }
        state = .closing
        stopTasks()
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// The wire format of one event: `id:` (when known), `event: verdict`, one `data:` line per
/// JSON line, a blank line.
enum SSE {
    static func event(_ event: VerdictEvent, allocator: ByteBufferAllocator) -> ByteBuffer {
        let json = event.json
        var buffer = allocator.buffer(capacity: json.count + 48)
        if let id = event.arrival { buffer.writeString("id: \(id)\n") }
        buffer.writeString("event: verdict\n")
        for line in json.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            buffer.writeString("data: ")
            buffer.writeBytes(line)
            buffer.writeString("\n")
        }
        buffer.writeString("\n")
        return buffer
    }
}
