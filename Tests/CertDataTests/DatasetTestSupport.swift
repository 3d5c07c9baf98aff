import CLibz
import CertData
import Foundation
import Testing

/// Builders for dataset files in the formats the readers accept.
enum DatasetFiles {
    static func be32(_ v: Int) -> [UInt8] { PNGBuilder.be32(v) }

    /// An IDX image file: magic 0x00000803, N, H, W, then the bytes.
    static func idxImages(_ images: [[UInt8]], height: Int, width: Int) -> [UInt8] {
        [0, 0, 8, 3] + be32(images.count) + be32(height) + be32(width) + images.flatMap { $0 }
    }

    static func idxLabels(_ labels: [UInt8]) -> [UInt8] {
        [0, 0, 8, 1] + be32(labels.count) + labels
    }

    /// Writes `bytes` at `path`, through zlib's gzip writer when `gzip`.
    static func write(_ bytes: [UInt8], to path: String, gzip: Bool = false) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        guard gzip else {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return
        }
        let file = try #require(gzopen(path, "wb"))
        let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        #expect(gzclose(file) == Z_OK)
        #expect(Int(written) == bytes.count)
    }

    /// N small images whose value at pixel p of image i is (i * 16 + p) % 256.
    static func patternImages(count: Int, height: Int, width: Int) -> [[UInt8]] {
        (0..<count).map { i in (0..<(height * width)).map { UInt8((i * 16 + $0) % 256) } }
    }
}

/// Runs `body`, expecting a `DatasetError`; checks it is one line and returns it.
func datasetError(_ body: () throws -> Void) -> DatasetError? {
    do {
        try body()
        Issue.record("succeeded unexpectedly")
    } catch let error as DatasetError {
        #expect(!error.description.contains("\n"))
        return error
    } catch {
        Issue.record("wrong error type \(type(of: error)): \(error)")
    }
    return nil
}

let fashionFolder = "/usr/share/datasets/fashion-mnist"
let hasFashion = FileManager.default.fileExists(atPath: fashionFolder + "/train-images-idx3-ubyte.gz")
