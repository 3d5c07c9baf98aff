import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

@Suite("CIFAR-10 binary reader")
struct CIFAR10ReaderTests {
    /// Record r: label, then R plane = r*3+0 + 10, G plane = ..., each plane constant apart
    /// from pixel (row 1, col 2), which holds 200 + plane index, to catch transposes.
    private func record(_ r: Int, label: UInt8) -> [UInt8] {
        var bytes = [label]
        for plane in 0..<3 {
            var values = [UInt8](repeating: UInt8(r * 3 + plane + 10), count: 1024)
            values[1 * 32 + 2] = UInt8(200 + plane)
            bytes += values
        }
        return bytes
    }

    @Test func threeRecordsToCHW() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent("data_batch_1.bin").path
        try DatasetFiles.write(record(0, label: 2) + record(1, label: 0) + record(2, label: 9), to: path)
        let d = try CIFAR10Reader.load(batches: [path, path])
        #expect(d.shape == ImageShape(channels: 3, height: 32, width: 32))
        #expect(d.count == 6 && d.labels == [2, 0, 9, 2, 0, 9])
        #expect(d.classes[2] == "bird" && d.classes[0] == "airplane" && d.classes.count == 10)
        for r in 0..<3 {
            let image = Array(d.image(r))
            for c in 0..<3 {
                #expect(image[c * 1024] == Float(r * 3 + c + 10) / 255)  // [c,0,0]
                #expect(image[c * 1024 + 1 * 32 + 2] == Float(200 + c) / 255)  // [c,1,2]
                #expect(image[c * 1024 + 2 * 32 + 1] == Float(r * 3 + c + 10) / 255)
            }
        }
    }

    @Test func badSizesAndLabels() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let path = folder.appendingPathComponent("test_batch.bin").path
        try DatasetFiles.write(record(0, label: 1) + [1, 2, 3], to: path)
        #expect(
            datasetError { _ = try CIFAR10Reader.load(batches: [path]) }?.description
                == "\(path): size 3076 is not a positive multiple of the CIFAR-10 record size 3073")
        try DatasetFiles.write(record(0, label: 1) + record(1, label: 10), to: path)
        #expect(
            datasetError { _ = try CIFAR10Reader.load(batches: [path]) }?.description
                == "\(path): record 1 has label 10; CIFAR-10 labels are 0...9")
        #expect(datasetError { _ = try CIFAR10Reader.load(batches: []) } != nil)
    }
}
