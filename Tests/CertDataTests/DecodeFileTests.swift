import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

@Suite("Decoding files")
struct DecodeFileTests {
    private func fileError(_ path: String) -> ImageDecodingError? {
        do {
            _ = try ImageDecoder.decodeFile(atPath: path)
            Issue.record("decoded \(path) unexpectedly")
        } catch let error as ImageDecodingError {
            #expect(error.source == path)
            return error
        } catch {
            Issue.record("wrong error type: \(error)")
        }
        return nil
    }

    @Test func missingFile() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent("nope.png").path
        #expect(fileError(path)?.reason == "no such file")
    }

    @Test func directoryInsteadOfFile() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        #expect(fileError(folder.path)?.reason.contains("is a directory") == true)
    }

    @Test func emptyFile() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent("empty.png").path
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(fileError(path)?.description == "\(path): empty file")
    }

    @Test func extensionIsIgnored() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let image = gradientImage(channels: 1, height: 28, width: 28, levels: 255)
        let path = folder.appendingPathComponent("really-a-png.jpg").path
        try Data(try PNGEncoder.encode(image)).write(to: URL(fileURLWithPath: path))
        let decoded = try ImageDecoder.decodeFile(atPath: path, expecting: image.shape)
        #expect(decoded == image)
    }

    @Test func wrongShapeFromFile() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent("cifar.png").path
        let image = gradientImage(channels: 3, height: 32, width: 32, levels: 255)
        try Data(try PNGEncoder.encode(image)).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ImageDecoder.decodeFile(atPath: path, expecting: ImageShape(channels: 1, height: 28, width: 28))
            Issue.record("accepted the wrong shape")
        } catch let error as ImageDecodingError {
            #expect(error.description == "\(path): image is 3x32x32 but the model set expects 1x28x28")
        }
    }
}
