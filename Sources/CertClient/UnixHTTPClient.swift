import CertSystem
import Foundation

/// A small blocking HTTP/1.1 client over a Unix socket, for certssb's daemon verbs
/// (status, get, list, submit, events). One request per connection (Connection: close).
public struct UnixHTTPClient: Sendable {
    /// The daemon's socket.
    public let socketPath: String

    /// A client for the socket at `socketPath`; nothing connects until a request.
    public init(socketPath: String) { self.socketPath = socketPath }

    /// A reply: the HTTP status and the body, de-chunked.
    public struct Response: Sendable { public var status: Int; public var body: [UInt8] }

    /// A failure to reach or talk to the daemon, one line ("cannot connect to PATH: … (is certssbd
    /// running?)").
    public struct ClientError: Error, CustomStringConvertible { public var description: String }

    func connect() throws -> Int32 {
        do {
            return try UnixSocket.connect(socketPath)
        } catch let error as SystemError where error.call == "connect" && error.errno != ENAMETOOLONG {
            throw ClientError(description: "cannot connect to \(socketPath): \(error.reason) (is certssbd running?)")
        } catch {
            throw ClientError(description: "\(error)")
        }
    }

    func send(_ fd: Int32, method: String, path: String, body: [UInt8]) throws {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nUser-Agent: certssb\r\n"
        if method == "POST" { head += "Content-Type: application/octet-stream\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try writeAll(fd, Array(head.utf8) + body)
    }

    func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        do { try SystemCall.writeAll(fd, bytes) } catch { throw ClientError(description: "\(error)") }
    }

    /// One read; 0 when the server closed.
    func readSome(_ fd: Int32, into buffer: inout [UInt8]) throws -> Int {
        do {
            return try buffer.withUnsafeMutableBytes { try SystemCall.read(fd, into: $0) }
        } catch {
            throw ClientError(description: "\(error)")
        }
    }

    /// Sends one request and reads the whole reply (until the server closes). Throws `ClientError`
    /// when the daemon cannot be reached or answers malformed HTTP.
    public func request(_ method: String, _ path: String, body: [UInt8] = []) throws -> Response {
        let fd = try connect()
        defer { SystemCall.close(fd) }
        try send(fd, method: method, path: path, body: body)
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try readSome(fd, into: &buffer)
            if n == 0 { break }
            data += buffer[0..<n]
        }
        return try Self.parse(data)
    }

    /// Server-sent events: calls `onEvent` with each `data:` payload until it returns false
    /// or the server closes.
    public func events(_ path: String = "/v1/events", onEvent: ([UInt8]) -> Bool) throws {
        let fd = try connect()
        defer { SystemCall.close(fd) }
        try send(fd, method: "GET", path: path, body: [])
        var pending: [UInt8] = []
        var headerDone = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try readSome(fd, into: &buffer)
            if n == 0 { return }
            pending += buffer[0..<n]
            if !headerDone {
                guard let end = Self.find(pending, [13, 10, 13, 10]) else { continue }
                pending.removeFirst(end + 4)
                headerDone = true
            }
            // Chunked transfer: strip chunk-size lines by scanning for "data: " lines only.
            let text = String(decoding: pending, as: UTF8.self)
            guard let lastBreak = text.range(of: "\n\n", options: .backwards) else { continue }
            for line in text[..<lastBreak.upperBound].split(separator: "\n") where line.hasPrefix("data: ") {
                if !onEvent(Array(line.dropFirst(6).utf8)) { return }
            }
            pending = Array(text[lastBreak.upperBound...].utf8)
        }
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    static func parse(_ data: [UInt8]) throws -> Response {
        guard let end = find(data, [13, 10, 13, 10]) else { throw ClientError(description: "malformed HTTP response") }
        let head = String(decoding: data[0..<end], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { throw ClientError(description: "malformed status line") }
        var body = Array(data[(end + 4)...])
        if head.contains(where: { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return Response(status: status, body: body)
    }

    static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < data.count, let lineEnd = find(Array(data[i...]), [13, 10]) {
            let size = Int(String(decoding: data[i..<(i + lineEnd)], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            i += lineEnd + 2
            if size == 0 { break }
            out += data[i..<min(i + size, data.count)]
            i += size + 2
        }
        return out
    }
}
