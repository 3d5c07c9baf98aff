import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A test-owned NOTIFY_SOCKET: the datagram socket systemd would own, collecting what the
/// daemon's sd_notify sends (READY=1, STATUS=…, STOPPING=1), one datagram per message.
final class NotifyListener {
    let path: String
    private let fd: Int32
    private(set) var messages: [String] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket: \(String(cString: strerror(errno)))") }
        let bound = withUnixAddress(path) { bind(fd, $0, $1) }
        guard bound == 0 else { throw CLIError("bind \(path): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Receives until some message satisfies `done` or `timeout` passes; whether one did.
    @discardableResult
    func wait(timeout: TimeInterval = 60, for done: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        if messages.contains(where: done) { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { continue }
            let message = String(decoding: buffer[0..<n], as: UTF8.self)
            messages.append(message)
            if done(message) { return true }
        }
        return false
    }

    /// Every assignment received so far, one per line of every message ("READY=1", "STATUS=…").
    var assignments: [String] { messages.flatMap { $0.split(separator: "\n").map(String.init) } }

    deinit {
        close(fd)
        unlink(path)
    }
}
