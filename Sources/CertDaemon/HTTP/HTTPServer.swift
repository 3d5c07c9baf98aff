import CertPipeline
import CertSystem
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc  // mode_t in bind(path:mode:)
#endif

/// The socket API: HTTP/1.1 + JSON over a Unix socket, self-bound or handed over by systemd.
public final class HTTPServer: Sendable {
    /// What the server refuses: larger uploads (413), idle or trickling clients (408), oversized
    /// request heads (431) and connections beyond the limit (503). docs/FUZZING.md lists them all.
    public struct Limits: Sendable {
        /// Largest request body accepted, in bytes (`max_upload_bytes`).
        public var maxUploadBytes: Int
        /// A client that sends nothing for this long is answered 408 and dropped
        /// (`read_timeout_ms`).
        public var readTimeout: TimeAmount
        /// A request (head and body) must arrive whole within this time of its first byte, or it
        /// is answered 408 and dropped, however steadily it trickles (`request_timeout_ms`).
        public var requestTimeout: TimeAmount
        /// Open connections at most; further ones get 503 after their request head.
        public var maxConnections: Int
        /// The largest request line plus header block NIO's decoder accepts (its default, 80 KiB;
        /// one field alone may fill it); a larger head is answered 431 before its end is read.
        public static let maxHeaderBytes = 80 * 1024
        /// Which clients may send requests (403 otherwise); open by default.
        public var access: AccessPolicy
        /// Limits from their parts.
        public init(
            maxUploadBytes: Int, readTimeout: TimeAmount, requestTimeout: TimeAmount = .seconds(120), maxConnections: Int,
            access: AccessPolicy = AccessPolicy()
        ) {
            self.maxUploadBytes = maxUploadBytes
            self.readTimeout = readTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
            self.access = access
        }
    }

    private struct State {
        var listeners: [(channel: Channel, path: String?)] = []
        var connections: [ObjectIdentifier: Channel] = [:]
        var closing = false
    }

    private let service: CertificationService
    private let limits: Limits
    private let group: EventLoopGroup
    private let heartbeat: TimeAmount
    private let state = Mutex(State())

    /// A server for `service` on `group`; it listens once `bind` or `adopt` is called. SSE streams
    /// get a comment every 15 s.
    public convenience init(service: CertificationService, limits: Limits, group: EventLoopGroup) {
        self.init(service: service, limits: limits, group: group, heartbeat: .seconds(15))
    }

    /// `heartbeat` is the SSE comment interval; tests shorten it.
    init(service: CertificationService, limits: Limits, group: EventLoopGroup, heartbeat: TimeAmount) {
        self.service = service
        self.limits = limits
        self.group = group
        self.heartbeat = heartbeat
    }

    /// Binds `path` (replacing a stale socket file nobody answers on) and sets its mode.
    public func bind(path: String, mode: mode_t) async throws {
        try refuseIfClosed()
        try HTTPSocketFile.removeIfStale(path: path)
        let channel = try await bootstrap().bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false).get()
        do { try SystemCall.chmod(path, mode) } catch {
            try? await channel.close()
            throw HTTPServerError("\(error)")
        }
        state.withLock { $0.listeners.append((channel, path)) }
    }

    /// Serves a socket that is already bound and listening (systemd's LISTEN_FDS).
    public func adopt(fd: Int32) async throws {
        try refuseIfClosed()
        let channel = try await bootstrap().withBoundSocket(fd).get()
        state.withLock { $0.listeners.append((channel, nil)) }
    }

    /// Stops accepting, ends event streams, and waits for in-flight requests to be answered.
    public func close() async throws {
        let (listeners, connections) = state.withLock { state in
            state.closing = true
            defer { state.listeners = [] }
            return (state.listeners, Array(state.connections.values))
        }
        for listener in listeners {
            try? await listener.channel.close()
            // Only a file we created is ours to remove; an adopted socket belongs to systemd.
            if let path = listener.path { try? SystemCall.unlink(path) }
        }
        for connection in connections {
            // The pipeline handler closes idle connections and those whose response just ended.
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            connection.pipeline.fireUserInboundEventTriggered(HTTPServerDrainEvent())
        }
        for connection in connections {
            try? await connection.closeFuture.get()
        }
    }

    private func refuseIfClosed() throws {
        if state.withLock({ $0.closing }) { throw HTTPServerError("the server is closed") }
    }

    private func bootstrap() -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                // The peer is read once, at accept: SO_PEERCRED is fixed at connect time.
                PeerCredentials.of(channel).flatMapThrowing { peer in try self.configure(channel, peer: peer) }
            }
    }

    /// Over the limit, a connection is still read up to its first head, so the client gets
    /// a real 503 answer instead of a reset.
    private func configure(_ channel: Channel, peer: PeerCredentials?) throws {
        let admitted = state.withLock { state -> Bool in
            guard !state.closing, state.connections.count < limits.maxConnections else { return false }
            state.connections[ObjectIdentifier(channel)] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { _ in
                _ = self.state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        try Self.addConnectionHandlers(
            to: channel.pipeline.syncOperations, service: service, limits: limits,
            heartbeat: heartbeat, rejecting: !admitted, peer: peer)
    }

    /// The handlers of one connection, in order: the read timeout, NIO's HTTP/1.1 codec with
    /// pipelining, and ours. Tests and the HTTP fuzz target build the same pipeline on an
    /// embedded channel.
    package static func addConnectionHandlers(
        to sync: ChannelPipeline.SynchronousOperations, service: CertificationService,
        limits: Limits, heartbeat: TimeAmount, rejecting: Bool,
        peer: PeerCredentials? = nil
    ) throws {
        let phase = HTTPConnectionPhase()
        try sync.addHandler(IdleStateHandler(readTimeout: limits.readTimeout))
        try sync.addHandler(HTTPReadTimeoutHandler(phase: phase, requestTimeout: limits.requestTimeout))
        // Our handler renders parser errors as JSON, so NIO's empty-bodied 400 is left out.
        try sync.configureHTTPServerPipeline(withErrorHandling: false)
        try sync.addHandler(
            HTTPConnectionHandler(
                service: service, limits: limits, phase: phase, heartbeat: heartbeat, rejecting: rejecting, peer: peer))
    }
}

/// Why the server could not bind or serve, one line.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// The reason.
    public var description: String
    init(_ description: String) { self.description = description }
}
