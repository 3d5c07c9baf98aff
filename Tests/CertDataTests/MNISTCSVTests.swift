import CLibz
import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

@Suite("MNIST CSV")
struct MNISTCSVTests {
    @Test(.enabled(if: hasMNIST, "needs ../shared/data/mnist_5k.csv.gz next to the package"))
    func loadsTheSharedFile() throws {
        let (images, labels) = try MNISTCSV.load(path: mnistPath)
        #expect(images.count == 5000)
        #expect(labels.count == 5000)
        #expect(images.allSatisfy { $0.shape == ImageShape(channels: 1, height: 28, width: 28) })
        for digit in 0...9 { #expect(labels.filter { $0 == digit }.count == 500) }

        // Row 0 against an independent parse of the first line (zlib's gz* API).
        let first = try firstLine(mnistPath).split(separator: ",").map { Int($0)! }
        #expect(first.count == 785)
        #expect(images[0].pixels == first.prefix(784).map { Float($0) / 255 })
        #expect(labels[0] == first[784])

        // Sums of the raw 0...255 values, computed once with python3:
        //   rows = [l.split(',') for l in gzip.open(path, 'rt').read().split('\n') if l]
        //   sum(map(int, rows[i][:784]))  and  sum over all rows
        func rawSum(_ image: DecodedImage) -> Int { image.pixels.reduce(0) { $0 + Int(($1 * 255).rounded()) } }
        #expect(rawSum(images[0]) == 31095)
        #expect(images[0].pixels.filter { $0 > 0 }.count == 176)
        #expect(rawSum(images[1]) == 35433)
        #expect(rawSum(images[4999]) == 33540 && labels[4999] == 9)
        #expect(images.reduce(0) { $0 + rawSum($1) } == 131_267_102)
    }

    private func firstLine(_ path: String) throws -> String {
        let file = try #require(gzopen(path, "rb"))
        defer { gzclose(file) }
        var buffer = [CChar](repeating: 0, count: 1 << 16)
        let line = try #require(gzgets(file, &buffer, Int32(buffer.count)))
        return String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func loadError(_ text: String, gzip: Bool = false) throws -> ImageDecodingError? {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent(gzip ? "rows.csv.gz" : "rows.csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try MNISTCSV.load(path: path)
            Issue.record("loaded unexpectedly")
        } catch let error as ImageDecodingError {
            #expect(error.source == path)
            return error
        }
        return nil
    }

    private func row(pixel: Int = 0, count: Int = 784, label: Int = 3) -> String {
        (Array(repeating: "\(pixel)", count: count) + ["\(label)"]).joined(separator: ",")
    }

    @Test func plainTextAndBadRows() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent("ok.csv").path
        try Data((row(pixel: 255) + "\r\n" + row(label: 7) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let (images, labels) = try MNISTCSV.load(path: path)
        #expect(labels == [3, 7])
        #expect(images[0].pixels.allSatisfy { $0 == 1 } && images[1].pixels.allSatisfy { $0 == 0 })

        #expect(try loadError(row() + "\n" + row(count: 700) + "\n")?.reason.hasPrefix("line 2: expected 785 values") == true)
        #expect(try loadError(row(pixel: 256))?.reason == "line 1: pixel 0 is 256, above 255")
        #expect(try loadError(row() + "\n\n" + row(pixel: -1))?.reason.hasPrefix("line 3") == true)
        #expect(try loadError(row() + "\nabc")?.reason.hasPrefix("line 2") == true)
        #expect(try loadError("")?.reason == "no rows")
    }

    @Test func gzipAndTruncatedGzip() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent("rows.csv.gz").path
        let text = Array((row(pixel: 51) + "\n" + row(label: 9) + "\n").utf8)
        let file = try #require(gzopen(path, "wb"))
        #expect(gzwrite(file, text, UInt32(text.count)) == Int32(text.count))
        gzclose(file)
        let (images, labels) = try MNISTCSV.load(path: path)
        #expect(labels == [3, 9] && images[0].pixels[0] == Float(51) / 255)

        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = folder.appendingPathComponent("cut.csv.gz").path
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: cut))
        do {
            _ = try MNISTCSV.load(path: cut)
            Issue.record("loaded a truncated gzip file")
        } catch let error as ImageDecodingError {
            #expect(error.reason.contains("gzip"))
        }
        #expect(throws: ImageDecodingError.self) { try MNISTCSV.load(path: folder.appendingPathComponent("none").path) }
        #expect(throws: ImageDecodingError.self) { try MNISTCSV.load(path: folder.path) }
    }
}
