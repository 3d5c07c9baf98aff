import CertPipeline
import NIOCore

#if canImport(Glibc)
    import Glibc  // SOL_SOCKET, SO_PEERCRED
#endif

/// Linux's `struct ucred` (pid_t, uid_t, gid_t: three 32-bit fields, no padding), which Glibc's
/// Swift module leaves out (it needs _GNU_SOURCE).
private struct KernelCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Who is on the other end of a Unix-socket connection, as the kernel says (SO_PEERCRED at
/// connect time): what the allow-list checks and every request's log line carries.
public struct PeerCredentials: Sendable, Equatable {
    /// The client's UID.
    public var uid: UInt32
    /// The client's primary GID.
    public var gid: UInt32
    /// The client's process ID (0 when it cannot be known, e.g. from another PID namespace).
    public var pid: Int32

    /// Credentials from their parts.
    public init(uid: UInt32, gid: UInt32, pid: Int32) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
    }

    /// The peer of `channel`, or nil when the channel is not a Unix socket (or the kernel
    /// refuses): then an allow-list denies it (fail closed).
    static func of(_ channel: Channel) -> EventLoopFuture<PeerCredentials?> {
        assert(MemoryLayout<KernelCredentials>.size == 12, "struct ucred is three 32-bit fields")
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<KernelCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { c -> PeerCredentials? in PeerCredentials(uid: c.uid, gid: c.gid, pid: c.pid) }
            .recover { _ -> PeerCredentials? in nil }
    }

    /// Whether `policy` lets this client in; unknown credentials pass only an open policy.
    static func admits(_ peer: PeerCredentials?, _ policy: AccessPolicy) -> Bool {
        guard let peer else { return policy.isOpen }
        return policy.allows(uid: peer.uid, gid: peer.gid)
    }
}

/// One answered request, for the service's log: method, target, status and the client.
public struct RequestRecord: Sendable {
    /// GET, POST, …
    public var method: String
    /// The request target (path and query).
    public var target: String
    /// The status answered.
    public var status: Int
    /// The client, when the kernel told.
    public var peer: PeerCredentials?
}
