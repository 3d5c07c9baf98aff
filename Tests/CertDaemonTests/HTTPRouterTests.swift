import NIOHTTP1
import Testing

@testable import CertDaemon

// The router is pure: these cases need no socket.
@Suite struct HTTPRouterTests {
    @Test func routesAndMethods() throws {
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/health").get() == .health)
        #expect(try HTTPRouter.route(method: .POST, uri: "/v1/reload").get() == .reload)
        #expect(try HTTPRouter.route(method: .GET, uri: "/metrics").get() == .metrics)
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/config").get() == .endpoint("/v1/config"))
        #expect(throws: HTTPRouteError.self) { try HTTPRouter.route(method: .POST, uri: "/v1/config").get() }
        let wrong = HTTPRouter.route(method: .GET, uri: "/v1/certify")
        #expect(
            throws: HTTPRouteError(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "/v1/certify accepts POST or PUT only", allow: [.POST, .PUT])
        ) { try wrong.get() }
        #expect(throws: HTTPRouteError.self) { try HTTPRouter.route(method: .GET, uri: "/v1/nope").get() }
    }

    /// HEAD wherever GET is, PUT where POST uploads (curl -T), and 405's Allow lists them.
    @Test func headAndPutWhereTheyMakeSense() throws {
        #expect(try HTTPRouter.route(method: .HEAD, uri: "/v1/health").get() == .health)
        #expect(try HTTPRouter.route(method: .HEAD, uri: "/v1/config").get() == .endpoint("/v1/config"))
        #expect(try HTTPRouter.route(method: .PUT, uri: "/v1/certify").get() == .certify)
        #expect(
            throws: HTTPRouteError(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "/v1/stats accepts GET or HEAD only", allow: [.GET, .HEAD])
        ) {
            try HTTPRouter.route(method: .DELETE, uri: "/v1/stats").get()
        }
        #expect(throws: HTTPRouteError.self) { try HTTPRouter.route(method: .PUT, uri: "/v1/reload").get() }
        #expect(throws: HTTPRouteError.self) { try HTTPRouter.route(method: .HEAD, uri: "/v1/certify").get() }
    }

    @Test func eventsTakeAnAfterCursor() throws {
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/events").get() == .events(after: nil))
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/events?after=12").get() == .events(after: 12))
        #expect(throws: HTTPRouteError.self) { try HTTPRouter.route(method: .GET, uri: "/v1/events?after=x").get() }
    }

    @Test func verdictPathsNeed64Hex() throws {
        let upper = String(repeating: "AB", count: 32)
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/verdicts/" + upper).get() == .verdict(sha256: upper.lowercased()))
        for bad in ["abc", String(repeating: "g", count: 64), String(repeating: "a", count: 65), ""] {
            #expect(throws: HTTPRouteError.self) { try HTTPRouter.route(method: .GET, uri: "/v1/verdicts/" + bad).get() }
        }
    }

    @Test func listQuery() throws {
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/verdicts").get() == .list(after: 0, limit: 100))
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/verdicts?after=7&limit=5").get() == .list(after: 7, limit: 5))
        #expect(try HTTPRouter.route(method: .GET, uri: "/v1/verdicts?limit=5000").get() == .list(after: 0, limit: 1000))
        for bad in ["after=x", "after=-1", "limit=0", "limit=", "after=1.5"] {
            #expect(throws: HTTPRouteError.self) { try HTTPRouter.route(method: .GET, uri: "/v1/verdicts?" + bad).get() }
        }
    }

    @Test func errorBodiesAreEscapedJSON() {
        let body = String(decoding: HTTPErrorBody.render(code: "x", message: "a \"q\"\n\u{1}"), as: UTF8.self)
        #expect(body == #"{"error":{"code":"x","message":"a \"q\"\n\u0001"}}"#)
    }
}
