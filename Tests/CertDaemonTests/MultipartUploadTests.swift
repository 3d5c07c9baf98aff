import Testing

@testable import CertDaemon

/// `curl -F file=@x.png` bodies: the first file part is the upload, byte for byte.
@Suite struct MultipartUploadTests {
    static func body(boundary: String, parts: [(headers: String, content: [UInt8])], preamble: String = "") -> [UInt8] {
        var out = Array(preamble.utf8)
        for part in parts {
            out += Array("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    @Test func theFirstFilePartComesOutByteForByte() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 13, 10, 0x1A, 10] + (0..<300).map { UInt8($0 % 256) }  // CRLFs inside
        let boundary = "------------------------a1b2c3"
        let body = Self.body(
            boundary: boundary,
            parts: [
                ("Content-Disposition: form-data; name=\"note\"", Array("hello".utf8)),
                ("Content-Disposition: form-data; name=\"file\"; filename=\"d.png\"\r\nContent-Type: image/png", png),
            ], preamble: "ignored preamble\r\n")
        #expect(try MultipartUpload.firstFile(body, contentType: "multipart/form-data; boundary=\(boundary)") == png)
        #expect(try MultipartUpload.firstFile(body, contentType: "multipart/form-data; boundary=\"\(boundary)\"") == png)
    }

    @Test func withoutAFileNameTheFirstPartIsTaken() throws {
        let body = Self.body(boundary: "b", parts: [("Content-Disposition: form-data; name=\"x\"", [1, 2, 3])])
        #expect(try MultipartUpload.firstFile(body, contentType: "multipart/form-data; boundary=b") == [1, 2, 3])
    }

    @Test func malformedBodiesAreRefusedNotGuessed() {
        #expect(throws: MultipartUpload.Refused.self) { try MultipartUpload.firstFile([1, 2], contentType: "multipart/form-data") }
        #expect(throws: MultipartUpload.Refused.self) {
            try MultipartUpload.firstFile(Array("no delimiters here".utf8), contentType: "multipart/form-data; boundary=b")
        }
        // Truncated: no closing delimiter after the part.
        let truncated = Array("--b\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nabc".utf8)
        #expect(throws: MultipartUpload.Refused.self) {
            try MultipartUpload.firstFile(truncated, contentType: "multipart/form-data; boundary=b")
        }
        #expect(MultipartUpload.boundary("multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
    }
}
