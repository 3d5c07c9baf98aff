import CertCore
import Foundation

/// The OpenAPI document certssbd serves, as the conformance test reads it: which operation a
/// recorded request reached, whether its status is listed there, and whether the body fits
/// the listed media type and schema.
struct OpenAPIDescription {
    let root: JSONValue
    static let methods = ["get", "head", "post", "put", "delete", "patch", "options", "trace"]

    init(_ root: JSONValue) { self.root = root }

    var paths: [String: JSONValue] { root["paths"]?.object ?? [:] }

    /// Every (path template, method) the document lists, methods upper-case.
    var operations: [(path: String, method: String)] {
        paths.keys.sorted().flatMap { path in declaredMethods(path).map { (path, $0) } }
    }

    /// The methods `template` lists, upper-case, in `methods` order.
    func declaredMethods(_ template: String) -> [String] {
        Self.methods.filter { paths[template]?[$0] != nil }.map { $0.uppercased() }
    }

    /// The template `path` falls under: an exact path first, else one whose `{name}` segments
    /// stand for any one segment (an empty one too: `/v1/verdicts/` is a malformed hash, 400).
    func template(for path: String) -> String? {
        if paths[path] != nil { return path }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return paths.keys.sorted().first { template in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == segments.count
                && zip(parts, segments).allSatisfy { part, segment in
                    part == segment || (part.hasPrefix("{") && part.hasSuffix("}"))
                }
        }
    }

    /// Follows `$ref`s until the object itself.
    func resolved(_ value: JSONValue?) -> JSONValue? {
        var value = value
        while let ref = value?["$ref"]?.string { value = root.resolve(pointer: ref) }
        return value
    }

    /// What is wrong with `r` by the document; empty when it conforms.
    func problems(_ r: RecordedResponse) -> [String] {
        let label = r.description
        let response: JSONValue?
        if let path = r.path, let template = template(for: path) {
            if let operation = paths[template]?[r.method.lowercased()] {
                guard let listed = operation["responses"]?[String(r.status)] else {
                    return ["\(label): status \(r.status) is not listed for \(r.method) \(template)"]
                }
                response = resolved(listed)
                if let problem = requestProblem(r, operation) { return [problem] }
            } else {
                // A method the path does not list: the document's 405, whose Allow lists those it does.
                guard r.status == 405 else { return ["\(label): \(r.method) is not listed for \(template)"] }
                let allow = Set((r.headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                if allow != Set(declaredMethods(template)) {
                    return ["\(label): Allow is \(allow.sorted()), the document lists \(declaredMethods(template))"]
                }
                response = resolved(root.resolve(pointer: "#/components/responses/MethodNotAllowed"))
            }
        } else if r.path == nil {
            // No request line: the 400 any request can get before it is routed.
            guard r.status == 400 else { return ["\(label): a request without a request line answered other than 400"] }
            response = resolved(root.resolve(pointer: "#/components/responses/BadRequest"))
        } else {
            guard r.status == 404 else { return ["\(label): \(r.path!) is not in the document but was not answered 404"] }
            response = resolved(root.resolve(pointer: "#/components/responses/NotFound"))
        }
        guard let response else { return ["\(label): the document's response does not resolve"] }
        return headerProblems(r, response) + contentProblems(r, response).map { "\(label): \($0)" }
    }

    /// The request's Content-Type must be one the operation's request body lists.
    private func requestProblem(_ r: RecordedResponse, _ operation: JSONValue) -> String? {
        guard let sent = r.requestContentType.map(Self.mediaType) else { return nil }
        let listed = resolved(operation["requestBody"])?["content"]?.object?.keys.sorted() ?? []
        return listed.contains { Self.matches($0, sent) } ? nil : "\(r.description): request Content-Type \(sent) is not in \(listed)"
    }

    private func headerProblems(_ r: RecordedResponse, _ response: JSONValue) -> [String] {
        (response["headers"]?.object ?? [:]).compactMap { name, header in
            resolved(header)?["required"] == .bool(true) && r.headers[name.lowercased()] == nil
                ? "\(r.description): the required header \(name) is missing" : nil
        }
    }

    private func contentProblems(_ r: RecordedResponse, _ response: JSONValue) -> [String] {
        let content = response["content"]?.object ?? [:]
        guard !content.isEmpty else { return r.body.isEmpty ? [] : ["a body where the document lists none"] }
        guard let header = r.headers["content-type"] else { return ["no Content-Type; the document lists \(content.keys.sorted())"] }
        let type = Self.mediaType(header)
        guard let key = content.keys.sorted().first(where: { Self.matches($0, type) }), let media = content[key] else {
            return ["Content-Type \(type) is not in \(content.keys.sorted())"]
        }
        // HEAD: the GET's head (its Content-Type above) and no body.
        if r.method == "HEAD" { return r.body.isEmpty ? [] : ["a HEAD answer with a body"] }
        let validator = JSONSchemaSubset(document: root)
        let schema = media["schema"] ?? .bool(true)
        switch type {
        case "application/json":
            guard let value = try? JSONValue.parse(r.body) else { return ["the body is not JSON"] }
            return validator.errors(value, schema)
        case "text/event-stream":
            return eventStreamProblems(r.body, data: media["x-event-data"], validator)
        default:
            guard let text = String(validating: r.body, as: UTF8.self) else { return ["the \(type) body is not UTF-8"] }
            return validator.errors(.string(text), schema)
        }
    }

    /// Each complete event's fields are SSE's, its `id` a number, and its data fits `data`.
    private func eventStreamProblems(_ body: [UInt8], data: JSONValue?, _ validator: JSONSchemaSubset) -> [String] {
        let text = String(decoding: body, as: UTF8.self)
        var found: [String] = []
        // The last block may be cut off by the client's timeout: only complete ones count.
        for block in text.components(separatedBy: "\n\n").dropLast() where !block.isEmpty {
            var lines: [String] = []
            for line in block.split(separator: "\n").map(String.init) where !line.hasPrefix(":") {
                if line.hasPrefix("data: ") { lines.append(String(line.dropFirst(6))); continue }
                if line.hasPrefix("id: "), UInt64(line.dropFirst(4)) != nil { continue }
                if line == "event: verdict" { continue }
                found.append("event stream: unexpected line \(line)")
            }
            guard !lines.isEmpty else { continue }
            guard let data, let value = try? JSONValue.parse(Array(lines.joined(separator: "\n").utf8)) else {
                found.append("event stream: data without a documented schema, or not JSON")
                continue
            }
            found += validator.errors(value, data, at: "event")
        }
        return found
    }

    static func mediaType(_ header: String) -> String {
        String(header.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// `image/*` covers `image/png`.
    static func matches(_ listed: String, _ actual: String) -> Bool {
        listed == actual || (listed.hasSuffix("/*") && actual.hasPrefix(listed.dropLast()))
    }
}
