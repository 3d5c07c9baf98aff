import CertDaemon
import CertPipeline
import CertTestSupport
import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A dictionary-backed service: enough behaviour to exercise every route over a real socket.
final class DictionaryService: CertificationService {
    private struct Store {
        var bySHA: [String: [UInt8]] = [:]
        var order: [(seq: UInt64, sha: String)] = []
        var subscribers: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
        var nextSubscriber = 0
    }
    private let store = Mutex(Store())

    var subscriberCount: Int { store.withLock { $0.subscribers.count } }
    /// Slow certifications begun ("slow…" and "hold…" uploads).
    let started = Mutex(0)
    /// Certifications abandoned because their client went away.
    let cancelled = Mutex(0)
    /// "gated…" uploads wait until this is opened.
    let gate = Mutex(false)

    /// Not a real digest (the test target has no Crypto), but 64 hex digits and deterministic.
    static func fakeSHA(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        let word = String(repeating: "0", count: 16 - hex.count) + hex
        return String(repeating: word, count: 4)
    }

    func certify(upload: [UInt8], source: String) async throws -> ServiceReply {
        if upload.starts(with: Array("notimage".utf8)) {
            throw ServiceError(status: 422, code: "not_an_image", message: "cannot decode")
        }
        if upload.starts(with: Array("gated".utf8)) {
            started.withLock { $0 += 1 }
            try await Wait.untilAsync(timeout: 3600, every: 0.005) { gate.withLock { $0 } }
        }
        if upload.starts(with: Array("slow".utf8)) || upload.starts(with: Array("hold".utf8)) {
            // Stands in for a long certification ("hold": one that only ends when cancelled);
            // observes cancellation like real work would.
            started.withLock { $0 += 1 }
            let length: Duration = upload.starts(with: Array("slow".utf8)) ? .milliseconds(600) : .seconds(3600)
            do { try await Task.sleep(for: length) } catch {
                cancelled.withLock { $0 += 1 }
                throw error
            }
        }
        let sha = Self.fakeSHA(upload)
        let json = Array("{\"sha256\":\"\(sha)\",\"certified\":true,\"bytes\":\(upload.count),\"source\":\"\(source)\"}".utf8)
        let subscribers: [AsyncStream<[UInt8]>.Continuation] = store.withLock { store in
            if store.bySHA[sha] == nil {
                store.bySHA[sha] = json
                store.order.append((UInt64(store.order.count + 1), sha))
            }
            return Array(store.subscribers.values)
        }
        for s in subscribers { s.yield(json) }
        return ServiceReply(status: 200, body: json)
    }

    func verdict(sha256: String) async throws -> ServiceReply {
        guard let json = store.withLock({ $0.bySHA[sha256] }) else {
            throw ServiceError(status: 404, code: "not_found", message: "no verdict for \(sha256)")
        }
        return ServiceReply(status: 200, body: json)
    }

    func list(after: UInt64, limit: Int) async throws -> ServiceReply {
        let page = store.withLock { s in s.order.filter { $0.seq > after }.prefix(limit).map { ($0.seq, $0.sha, s.bySHA[$0.sha]!) } }
        let items = page.map { "{\"seq\":\($0.0),\"sha256\":\"\($0.1)\",\"verdict\":\(String(decoding: $0.2, as: UTF8.self))}" }
        let next = page.last?.0 ?? after
        return ServiceReply(status: 200, body: Array("{\"items\":[\(items.joined(separator: ","))],\"next\":\(next)}".utf8))
    }

    func stats() async -> ServiceReply {
        ServiceReply(status: 200, body: Array("{\"verdicts\":\(store.withLock { $0.order.count })}".utf8))
    }
    func metrics() async -> String { "# TYPE certssb_verdicts_total counter\ncertssb_verdicts_total 0\n" }
    func triggers() async -> ServiceReply { ServiceReply(status: 200, body: Array("[]".utf8)) }
    func reload() async throws -> ServiceReply { ServiceReply(status: 200, body: Array("{\"reloaded\":true}".utf8)) }
    func health() async -> ServiceReply { ServiceReply(status: 200, body: Array("{\"status\":\"ok\"}".utf8)) }
    func version() -> ServiceReply { ServiceReply(status: 200, body: Array("{\"version\":\"test\"}".utf8)) }

    func events() -> AsyncStream<[UInt8]> {
        AsyncStream { continuation in
            let id = store.withLock { s in
                defer { s.nextSubscriber += 1 }
                s.subscribers[s.nextSubscriber] = continuation
                return s.nextSubscriber
            }
            continuation.onTermination = { _ in _ = self.store.withLock { $0.subscribers.removeValue(forKey: id) } }
        }
    }
}

let defaultLimits = HTTPServer.Limits(maxUploadBytes: 1 << 20, readTimeout: .seconds(10), maxConnections: 64)

/// Runs `body` against a server bound in a fresh directory, then tears everything down.
func withServer(
    limits: HTTPServer.Limits = defaultLimits,
    _ body: (_ path: String, _ service: DictionaryService, _ dir: String) async throws -> Void
) async throws {
    let group = MultiThreadedEventLoopGroup.singleton
    let dir = try TemporaryDirectory("http")
    let path = dir.file("certssbd.sock")
    let service = DictionaryService()
    let server = HTTPServer(service: service, limits: limits, group: group)
    var failure: Error?
    do {
        try await server.bind(path: path, mode: 0o600)
        try await body(path, service, dir.path)
    } catch { failure = error }
    try? await server.close()
    dir.remove()
    if let failure { throw failure }
}

struct CurlResult {
    var status: Int
    var body: String
    var exitCode: Int32
    /// curl's stderr: its -v trace when asked for.
    var trace: String
}

/// Runs curl without blocking a concurrency thread (the service needs them to answer). Never
/// unbounded: a `--max-time` in `args` overrides the five minutes given first.
func curl(_ socket: String, _ args: [String]) async throws -> CurlResult {
    let scratch = try TemporaryDirectory("curl")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = ["-s", "--max-time", "300", "--unix-socket", socket, "-o", scratch.file("body"), "-w", "%{http_code}"] + args
    let pipe = Pipe()
    process.standardOutput = pipe
    _ = FileManager.default.createFile(atPath: scratch.file("trace"), contents: nil)
    let trace = try FileHandle(forWritingTo: scratch.url.appendingPathComponent("trace"))
    defer { try? trace.close() }
    process.standardError = trace
    let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try ProcessEnvironment.withShared { try process.run() } } catch { continuation.resume(throwing: error) }
    }
    let code = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return CurlResult(
        status: Int(code) ?? 0, body: (try? String(contentsOfFile: scratch.file("body"), encoding: .utf8)) ?? "",
        exitCode: exitCode, trace: (try? String(contentsOfFile: scratch.file("trace"), encoding: .utf8)) ?? "")
}

/// A curl left running on a stream (`-N`), its output read as it grows.
final class CurlStream {
    private let scratch: TemporaryDirectory
    let process: SpawnedProcess

    init(_ socket: String, _ url: String, extra: [String] = []) throws {
        scratch = try TemporaryDirectory("curl-stream")
        process = try SpawnedProcess(
            "/usr/bin/curl", ["-s", "-N", "--max-time", "300", "--unix-socket", socket] + extra + [url],
            stdout: scratch.file("out"), stderr: "/dev/null")
    }

    var output: String { (try? String(contentsOfFile: scratch.file("out"), encoding: .utf8)) ?? "" }

    /// Waits until the output contains `text`; whether it did.
    func wait(for text: String) async throws -> Bool { try await Wait.untilAsync { output.contains(text) } }

    /// Waits for curl to end by itself; its exit code (nil: still running at the deadline).
    func exit() async throws -> Int32? {
        guard try await Wait.untilAsync({ !process.isRunning }) else { return nil }
        return process.signalled ? nil : process.code
    }

    func stop() { process.send(SIGTERM); process.wait() }
}

func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}

/// A blocking client socket with a receive timeout, for what curl cannot send.
struct RawClient {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = unixAddress(path)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { Glibc.close(fd); throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    func send(_ text: String) { send(Array(text.utf8)) }
    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }

    /// Everything until the server closes (or a minute without a byte), read on a thread of
    /// its own: the answer may need the cooperative pool's threads.
    func readAll() async -> String {
        let fd = self.fd
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.readAll(fd)) }.start()
        }
    }

    private static func readAll(_ fd: Int32) -> String {
        var result = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            result += buffer[0..<n]
        }
        return String(decoding: result, as: UTF8.self)
    }

    func close() { Glibc.close(fd) }
}

func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        let bytes = Array(path.utf8)
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return address
}

/// Binds and listens like systemd would, returning the descriptor.
func listeningSocket(path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = unixAddress(path)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0, listen(fd, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    return fd
}

func writeFile(_ path: String, _ data: Data) throws {
    try data.write(to: URL(fileURLWithPath: path))
}
