import ArgumentParser
import CertClient
import CertData
import Foundation

/// `--socket PATH` for the verbs that talk to certssbd.
struct SocketOption: ParsableArguments {
    @Option(help: "certssbd's Unix socket.")
    var socket = ProcessInfo.processInfo.environment["CERTSSB_SOCKET"] ?? "/run/certssbd/certssbd.sock"

    var client: UnixHTTPClient { UnixHTTPClient(socketPath: socket) }

    /// GET/POST and print the JSON body; non-2xx is an error (exit 2) with the server's message.
    func call(_ method: String, _ path: String, body: [UInt8] = []) throws -> [UInt8] {
        let response: UnixHTTPClient.Response
        do { response = try client.request(method, path, body: body) } catch { throw CLIFailure(error) }
        guard (200..<300).contains(response.status) else {
            throw CLIFailure("certssbd answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return response.body
    }

    /// A verdict's `certified` field (false for anything that is not a verdict).
    static func isCertified(_ verdictJSON: [UInt8]) -> Bool {
        ((try? JSONSerialization.jsonObject(with: Data(verdictJSON))) as? [String: Any])?["certified"] as? Bool ?? false
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "certssbd's state, queue and totals.")
    @OptionGroup var socket: SocketOption
    func run() throws { print(String(decoding: try socket.call("GET", "/v1/stats"), as: UTF8.self)) }
}

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "The stored verdict of an image, by the SHA-256 of its bytes.",
        discussion: "Exit 0 when the verdict is certified, 1 when it is not, 2 on any error (an unknown SHA-256 included).")
    @OptionGroup var socket: SocketOption
    @Argument(help: "SHA-256 (64 hex digits).") var sha256: String
    func run() throws {
        let body = try socket.call("GET", "/v1/verdicts/\(sha256.lowercased())")
        print(String(decoding: body, as: UTF8.self))
        if !SocketOption.isCertified(body) { throw ExitCode(1) }
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Verdicts in arrival order, a page at a time.")
    @OptionGroup var socket: SocketOption
    @Option(help: "Start after this arrival number.") var after: UInt64 = 0
    @Option(help: "Page size (at most 1000).") var limit = 100
    func run() throws { print(String(decoding: try socket.call("GET", "/v1/verdicts?after=\(after)&limit=\(limit)"), as: UTF8.self)) }
}

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Follow verdicts as certssbd commits them (one JSON line each).")
    @OptionGroup var socket: SocketOption
    @Option(help: "Stop after this many events (default: follow until interrupted).") var count: Int?
    func run() throws {
        var seen = 0
        do {
            try socket.client.events { data in
                // One write per event, so a pipe reader sees each line as it arrives.
                FileHandle.standardOutput.write(data + Data("\n".utf8))
                seen += 1
                return count.map { seen < $0 } ?? true
            }
        } catch { throw CLIFailure(error) }
    }
}

struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Upload files to certssbd and print each verdict.",
        discussion: """
            One JSON line per file, in input order: the daemon's verdict with a `file` field holding \
            the path given (the stored verdict keeps its own `source`), or {"error": …, "file": …} in its \
            place. Exit 0 when every file is certified, 1 when some is not, 2 on any error.
            """)
    @OptionGroup var socket: SocketOption
    @Argument(help: "Image files; a directory means every file under it (sorted), - standard input.") var inputs: [String]

    func run() throws {
        var anyError = false, allCertified = true
        for file in InputPaths.expand(inputs) {
            func fail(_ reason: String) {
                print(Self.errorLine(reason, file: file))
                FileHandle.standardError.write(Data("certssb: \(file): \(reason)\n".utf8))
                anyError = true
            }
            let bytes: [UInt8]
            do {
                bytes = try InputPaths.read(file)
            } catch let error as ImageDecodingError { fail(error.reason); continue } catch { fail("\(error)"); continue }
            do {
                let response = try socket.client.request("POST", "/v1/certify", body: bytes)
                guard response.status == 200 else {
                    fail("\(response.status) \(Self.message(response.body))"); continue
                }
                print(Self.withFile(response.body, file: file))
                allCertified = allCertified && SocketOption.isCertified(response.body)
            } catch { fail("\(error)") }
        }
        if anyError { throw ExitCode(2) }
        if !allCertified { throw ExitCode(1) }
    }

    /// The verdict object with `"file":…` first; the daemon's bytes are kept as they are (no
    /// re-encoding that could round a 64-bit seed).
    static func withFile(_ verdict: [UInt8], file: String) -> String {
        let text = String(decoding: verdict, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else { return errorLine("the daemon answered something that is not a JSON object", file: file) }
        let rest = text.dropFirst().drop(while: { $0 == " " })
        return "{\"file\":\(quoted(file))" + (rest.hasPrefix("}") ? "" : ",") + rest
    }

    /// `{"error":…,"file":…}`, the line printed in a failed file's place.
    static func errorLine(_ reason: String, file: String) -> String {
        "{\"error\":\(quoted(reason)),\"file\":\(quoted(file))}"
    }

    /// The `message` of the daemon's `{"error":{"code","message"}}`, else the body as text.
    static func message(_ body: [UInt8]) -> String {
        struct ErrorBody: Decodable { struct Detail: Decodable { var code: String; var message: String }; var error: Detail }
        guard let e = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)) else { return String(decoding: body, as: UTF8.self) }
        return "\(e.error.code): \(e.error.message)"
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    static func quoted(_ s: String) -> String {
        String(decoding: (try? encoder.encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
