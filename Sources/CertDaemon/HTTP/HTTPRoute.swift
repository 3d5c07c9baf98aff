import NIOHTTP1

/// A request the router understood; anything else is an `HTTPRouteError`.
enum HTTPRoute: Equatable {
    case health, version, certify, stats, metrics, triggers, reload
    /// The event stream; `after` (the query's `after=N`) replays stored verdicts first.
    case events(after: UInt64?)
    case verdict(sha256: String)
    case list(after: UInt64, limit: Int)
    /// A JSON answer from `HTTPRouter.endpoints`, by path.
    case endpoint(String)
}

/// A route that takes no body and no parameters and answers JSON: one registration in
/// `HTTPRouter.endpoints` (method, path, the service call) is all the server needs.
struct HTTPEndpoint: Sendable {
    var method: HTTPMethod
    var call: @Sendable (any CertificationService) async throws -> ServiceReply
}

/// Why a request was refused before reaching the service.
struct HTTPRouteError: Error, Equatable {
    var status: HTTPResponseStatus
    var code: String
    var message: String
    /// Set for 405, so the answer can carry `Allow`.
    var allow: [HTTPMethod] = []
}

enum HTTPRouter {
    static let maxListLimit = 1000
    static let defaultListLimit = 100

    /// Simple JSON routes, by path. A new one is a line here, a requirement on
    /// `CertificationService` (with its default) and its answer in `DaemonService`.
    static let endpoints: [String: HTTPEndpoint] = [
        "/v1/config": HTTPEndpoint(method: .GET) { await $0.config() },
        // A static document: the same for every service.
        "/openapi.json": HTTPEndpoint(method: .GET) { _ in OpenAPIDocument.reply },
    ]

    /// Maps method and target to a route. Pure, so tests can cover it without a socket.
    static func route(method: HTTPMethod, uri: String) -> Result<HTTPRoute, HTTPRouteError> {
        let (path, query) = split(uri)
        func only(_ allowed: HTTPMethod, _ route: HTTPRoute) -> Result<HTTPRoute, HTTPRouteError> {
            // HEAD wherever GET is (the handler sends the GET's head without its body); PUT
            // wherever POST uploads, so `curl -T FILE` works like `--data-binary @FILE`.
            let accepted: [HTTPMethod] =
                switch allowed {
                case .GET: [.GET, .HEAD]
                case .POST where route == .certify: [.POST, .PUT]
                default: [allowed]
                }
            guard accepted.contains(method) else {
                return .failure(
                    HTTPRouteError(
                        status: .methodNotAllowed, code: "method_not_allowed",
                        message: "\(path) accepts \(accepted.map(\.rawValue).joined(separator: " or ")) only", allow: accepted))
            }
            return .success(route)
        }
        switch path {
        case "/v1/health": return only(.GET, .health)
        case "/v1/version": return only(.GET, .version)
        case "/v1/certify": return only(.POST, .certify)
        case "/v1/events":
            return only(.GET, .health).flatMap { _ in eventsRoute(query: query) }
        case "/v1/stats": return only(.GET, .stats)
        case "/metrics": return only(.GET, .metrics)
        case "/v1/triggers": return only(.GET, .triggers)
        case "/v1/reload": return only(.POST, .reload)
        case _ where endpoints[String(path)] != nil:
            return only(endpoints[String(path)]!.method, .endpoint(String(path)))
        case "/v1/verdicts":
            return only(.GET, .health).flatMap { _ in listRoute(query: query) }
        default:
            let prefix = "/v1/verdicts/"
            // One segment only: /v1/verdicts/x/y is another path (404), as openapi.json has it.
            if path.hasPrefix(prefix), !path.dropFirst(prefix.count).contains("/") {
                let sha = String(path.dropFirst(prefix.count))
                return only(.GET, .health).flatMap { _ in
                    guard isSHA256(sha) else {
                        return .failure(
                            HTTPRouteError(
                                status: .badRequest, code: "bad_sha256",
                                message: "expected 64 hexadecimal digits"))
                    }
                    return .success(.verdict(sha256: sha.lowercased()))
                }
            }
            return .failure(HTTPRouteError(status: .notFound, code: "not_found", message: "no route for \(path)"))
        }
    }

    static func isSHA256(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { $0.isHexDigit }
    }

    private static func split(_ uri: String) -> (Substring, Substring) {
        guard let q = uri.firstIndex(of: "?") else { return (Substring(uri), "") }
        return (uri[..<q], uri[uri.index(after: q)...])
    }

    /// `after` defaults to 0, `limit` to 100 (at most 1000); anything unparsable is a 400.
    private static func listRoute(query: Substring) -> Result<HTTPRoute, HTTPRouteError> {
        var after: UInt64 = 0
        var limit = defaultListLimit
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = kv[0], value = kv.count > 1 ? kv[1] : ""
            switch key {
            case "after":
                guard let v = UInt64(value) else { return .failure(badQuery("after must be an unsigned integer")) }
                after = v
            case "limit":
                guard let v = Int(value), v >= 1 else {
                    return .failure(badQuery("limit must be a positive integer"))
                }
                limit = min(v, maxListLimit)  // clamped: asking for more is not an error
            default:
                continue  // unknown parameters are ignored, as most HTTP APIs do
            }
        }
        return .success(.list(after: after, limit: limit))
    }

    /// `after=N` (an unsigned integer) or nothing.
    private static func eventsRoute(query: Substring) -> Result<HTTPRoute, HTTPRouteError> {
        for pair in query.split(separator: "&") where pair.hasPrefix("after=") {
            guard let after = UInt64(pair.dropFirst(6)) else { return .failure(badQuery("after must be an unsigned integer")) }
            return .success(.events(after: after))
        }
        return .success(.events(after: nil))
    }

    private static func badQuery(_ message: String) -> HTTPRouteError {
        HTTPRouteError(status: .badRequest, code: "bad_query", message: message)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
