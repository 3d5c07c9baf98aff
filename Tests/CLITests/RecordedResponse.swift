import CertTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One exchange with certssbd as the OpenAPI conformance test checks it: the request's method,
/// target and Content-Type, and the answer's status, headers and body.
struct RecordedResponse: CustomStringConvertible {
    var method: String
    /// Path and query as sent; nil when no request line the server could parse was sent.
    var target: String?
    var requestContentType: String?
    var status: Int
    /// Names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    var path: String? { target.map { String($0.prefix { $0 != "?" }) } }

    var description: String {
        "\(method) \(target ?? "(no request line)") → \(status) \(headers["content-type"] ?? "")"
            + (body.isEmpty ? "" : ": \(String(decoding: body.prefix(300), as: UTF8.self))")
    }

    /// Status line, headers and body of the last response in `bytes` (after any 100 Continue);
    /// the body is whatever follows the head.
    static func parse(_ bytes: [UInt8]) -> (status: Int, headers: [String: String], body: [UInt8])? {
        var rest = bytes[...]
        while let end = find(Array("\r\n\r\n".utf8), in: rest) {
            let head = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            let body = rest[(end + 4)...]
            let lines = head.components(separatedBy: "\r\n")
            let statusLine = lines[0].split(separator: " ")
            guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else { return nil }
            if status == 100 { rest = body; continue }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return (status, headers, Array(body))
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (haystack.startIndex...(haystack.endIndex - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

/// Records exchanges with curl --unix-socket, or with a raw socket where curl cannot (half a
/// request, no request line, connections held idle).
struct ResponseRecorder {
    let socket: String
    let scratch: TemporaryDirectory

    /// A curl run in flight, so a test can make a second request while the first waits.
    struct Pending {
        let process: Process
        let method: String, target: String, contentType: String?
        let headerFile: String, bodyFile: String
    }

    /// Starts curl for `method` on `target`; `contentType` is sent as the request's (curl's
    /// own with `-F`); `args` add the body (`--data-binary`, `-T`, `-F`) and options.
    func start(_ method: String, _ target: String, contentType: String? = nil, _ args: [String] = []) throws -> Pending {
        let id = UUID().uuidString.prefix(8)
        let headerFile = scratch.file("head-\(id)"), bodyFile = scratch.file("body-\(id)")
        // -I for HEAD: `-X HEAD` would wait for a body that never comes.
        var arguments = ["-s", "--unix-socket", socket, "-D", headerFile, "-o", bodyFile]
        arguments += method == "HEAD" ? ["-I"] : ["-X", method]
        if let contentType, !args.contains("-F") { arguments += ["-H", "Content-Type: \(contentType)"] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments + args + ["http://localhost" + target]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Pending(
            process: process, method: method, target: target, contentType: contentType, headerFile: headerFile, bodyFile: bodyFile)
    }

    /// Waits for `pending` and reads what it recorded.
    func finish(_ pending: Pending) throws -> RecordedResponse {
        pending.process.waitUntilExit()
        let head = (try? Data(contentsOf: URL(fileURLWithPath: pending.headerFile))).map(Array.init) ?? []
        guard let (status, headers, _) = RecordedResponse.parse(head) else {
            throw CLIError("\(pending.method) \(pending.target): no response head (curl exit \(pending.process.terminationStatus))")
        }
        let body = pending.method == "HEAD" ? [] : (try? Data(contentsOf: URL(fileURLWithPath: pending.bodyFile))).map(Array.init) ?? []
        return RecordedResponse(
            method: pending.method, target: pending.target, requestContentType: pending.contentType,
            status: status, headers: headers, body: body)
    }

    /// curl `method` on `target` and its answer.
    func curl(_ method: String, _ target: String, contentType: String? = nil, _ args: [String] = []) throws -> RecordedResponse {
        try finish(start(method, target, contentType: contentType, args))
    }

    /// Writes `request` on a new connection and reads until the server closes it (every case
    /// this is used for closes: malformed, timed out, over the connection limit).
    func raw(_ method: String, _ target: String?, _ request: String) throws -> RecordedResponse {
        let fd = try connect()
        defer { close(fd) }
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        guard let (status, headers, body) = RecordedResponse.parse(answer) else {
            throw CLIError("\(method) \(target ?? "-"): no response in \(answer.count) bytes")
        }
        return RecordedResponse(method: method, target: target, status: status, headers: headers, body: body)
    }

    /// A connected socket that has sent nothing.
    func connect() throws -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard withUnixAddress(socket, { Glibc.connect(fd, $0, $1) }) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CLIError("connect \(socket): \(reason)")
        }
        return fd
    }
}
