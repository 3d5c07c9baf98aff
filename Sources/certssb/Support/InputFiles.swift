import CertCore
import CertData
import CertShape
import Certify
import Foundation

/// Reads and decodes input files for a model set; a bad file becomes a one-line reason
/// instead of stopping the run.
enum InputFiles {
    static func load(_ path: String, expecting expected: ImageShape) -> Result<CertificationRequest, ImageDecodingError> {
        do {
            let bytes = try InputPaths.read(path)
            let image = try ImageDecoder.decode(bytes, source: path, expecting: expected)
            return .success(CertificationRequest(pixels: image.pixels, sha256: Checksum.sha256Hex(bytes), source: path))
        } catch let error as ImageDecodingError {
            return .failure(error)
        } catch {
            return .failure(ImageDecodingError(source: path, reason: "\(error)"))
        }
    }

    /// The JSON line printed in place of a verdict for a file that could not be read.
    static func errorLine(_ error: ImageDecodingError) -> String {
        let object = ["source": error.source, "error": error.reason]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func reportError(_ error: ImageDecodingError) {
        print(errorLine(error))
        FileHandle.standardError.write(Data("certssb: \(error.description)\n".utf8))
    }
}

extension InputFiles {
    /// The same line for an input that decoded but got no verdict (non-finite values).
    static func reportError(_ error: CertificationError) {
        let source: String
        switch error {
        case let .nonFinitePixels(s, _), let .nonFiniteOutput(s, _): source = s
        }
        reportError(ImageDecodingError(source: source, reason: error.description))
    }
}
