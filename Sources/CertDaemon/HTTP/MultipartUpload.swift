import Foundation

/// `curl -F file=@digit.png`: a multipart/form-data body whose first file part is the image.
/// Only what an upload needs: the boundary from the Content-Type, the first part with a
/// `filename=` (else the first part), its bytes up to the next delimiter.
enum MultipartUpload {
    /// Why a multipart body gave no image; the 415 answer says to send raw bytes instead.
    struct Refused: Error, Equatable {
        var reason: String
    }

    /// Whether `contentType` announces multipart/form-data.
    static func isMultipart(_ contentType: String?) -> Bool {
        contentType?.lowercased().hasPrefix("multipart/form-data") == true
    }

    /// The bytes of the first file part of `body`.
    static func firstFile(_ body: [UInt8], contentType: String) throws(Refused) -> [UInt8] {
        guard let boundary = boundary(contentType) else { throw Refused(reason: "multipart/form-data without a boundary") }
        let delimiter = Array("--\(boundary)".utf8)
        let parts = split(body, delimiter: delimiter)
        guard !parts.isEmpty else { throw Refused(reason: "no part in the multipart body") }
        var first: [UInt8]?
        for part in parts {
            guard let (headers, content) = headersAndContent(part) else { continue }
            if headers.lowercased().contains("filename=") { return content }
            first = first ?? content
        }
        guard let first else { throw Refused(reason: "no readable part in the multipart body") }
        return first
    }

    /// `boundary=…` of the Content-Type, quotes removed.
    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let kv = parameter.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].lowercased() == "boundary" else { continue }
            let value = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return value.isEmpty || value.utf8.count > 70 ? nil : value  // RFC 2046: 1 to 70 characters
        }
        return nil
    }

    /// The parts between delimiters (the preamble and everything after the closing `--` dropped).
    private static func split(_ body: [UInt8], delimiter: [UInt8]) -> [ArraySlice<UInt8>] {
        var starts: [Int] = []
        var i = 0
        while let found = find(delimiter, in: body, from: i) {
            starts.append(found)
            i = found + delimiter.count
        }
        var parts: [ArraySlice<UInt8>] = []
        for (k, start) in starts.enumerated() {
            let contentStart = start + delimiter.count
            if body[contentStart...].starts(with: Array("--".utf8)) { break }  // the closing delimiter
            guard k + 1 < starts.count else { break }  // no closing delimiter: truncated, dropped
            var end = starts[k + 1]
            if end >= 2 && body[end - 2] == 13 && body[end - 1] == 10 { end -= 2 }  // CRLF before the delimiter
            parts.append(body[contentStart..<max(contentStart, end)])
        }
        return parts
    }

    /// A part's header block (after the delimiter line's CRLF, up to the blank line) and content.
    private static func headersAndContent(_ part: ArraySlice<UInt8>) -> (String, [UInt8])? {
        let separator = Array("\r\n\r\n".utf8)
        guard let blank = find(separator, in: Array(part), from: 0) else { return nil }
        let bytes = Array(part)
        let headers = String(decoding: bytes[..<blank], as: UTF8.self)
        return (headers, Array(bytes[(blank + separator.count)...]))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
