import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

@Suite("IDX reader")
struct IDXReaderTests {
    let classes = (0...9).map(String.init)

    private func writePair(in folder: URL, images: [UInt8], labels: [UInt8], gzip: Bool) throws -> (String, String) {
        let suffix = gzip ? ".gz" : ""
        let i = folder.appendingPathComponent("train-images-idx3-ubyte" + suffix).path
        let l = folder.appendingPathComponent("train-labels-idx1-ubyte" + suffix).path
        try DatasetFiles.write(images, to: i, gzip: gzip)
        try DatasetFiles.write(labels, to: l, gzip: gzip)
        return (i, l)
    }

    @Test(arguments: [false, true])
    func roundTrip(gzip: Bool) throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let raw = DatasetFiles.patternImages(count: 3, height: 4, width: 5)
        let (i, l) = try writePair(
            in: folder, images: DatasetFiles.idxImages(raw, height: 4, width: 5),
            labels: DatasetFiles.idxLabels([7, 0, 9]), gzip: gzip)
        let d = try IDXReader.load(images: i, labels: l, classes: classes)
        #expect(d.shape == ImageShape(channels: 1, height: 4, width: 5))
        #expect(d.count == 3 && d.labels == [7, 0, 9] && d.classes == classes)
        for k in 0..<3 { #expect(Array(d.image(k)) == raw[k].map { Float($0) / 255 }) }
    }

    @Test func wrongMagicNamesWhatWasFound() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let images = DatasetFiles.idxImages(DatasetFiles.patternImages(count: 2, height: 2, width: 2), height: 2, width: 2)
        let labels = DatasetFiles.idxLabels([1, 2])
        // Swapped files: each reports the magic it found and what it is.
        let (i, l) = try writePair(in: folder, images: labels, labels: images, gzip: false)
        let error = datasetError { _ = try IDXReader.load(images: i, labels: l, classes: classes) }
        #expect(error?.description == "\(i): wrong magic 0x00000801 for an IDX image file; expected 0x00000803 (this is a label file)")

        let (i2, l2) = try writePair(in: folder, images: [0x12, 0x34, 0x56, 0x78] + Array(images.dropFirst(4)), labels: labels, gzip: true)
        #expect(
            datasetError { _ = try IDXReader.load(images: i2, labels: l2, classes: classes) }?
                .description.contains("wrong magic 0x12345678") == true)
    }

    @Test func truncatedBodyAndHeader() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let images = DatasetFiles.idxImages(DatasetFiles.patternImages(count: 3, height: 4, width: 4), height: 4, width: 4)
        let (i, l) = try writePair(in: folder, images: Array(images.dropLast(5)), labels: DatasetFiles.idxLabels([1, 2, 3]), gzip: true)
        let error = datasetError { _ = try IDXReader.load(images: i, labels: l, classes: classes) }
        #expect(error?.description == "\(i): truncated IDX body: 3 images of 4x4 need 48 bytes, file has 43")

        let (i2, l2) = try writePair(in: folder, images: Array(images.prefix(10)), labels: DatasetFiles.idxLabels([1]), gzip: false)
        #expect(
            datasetError { _ = try IDXReader.load(images: i2, labels: l2, classes: classes) }?
                .description.contains("truncated IDX image file: header needs 16 bytes") == true)

        let (i3, l3) = try writePair(in: folder, images: images, labels: Array(DatasetFiles.idxLabels([1, 2, 3]).dropLast()), gzip: false)
        #expect(
            datasetError { _ = try IDXReader.load(images: i3, labels: l3, classes: classes) }?
                .description == "\(l3): truncated IDX body: 3 labels need 3 bytes, file has 2")
    }

    @Test func countMismatchLabelRangeAndMissingFile() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let images = DatasetFiles.idxImages(DatasetFiles.patternImages(count: 3, height: 2, width: 2), height: 2, width: 2)
        let (i, l) = try writePair(in: folder, images: images, labels: DatasetFiles.idxLabels([1, 2]), gzip: false)
        #expect(
            datasetError { _ = try IDXReader.load(images: i, labels: l, classes: classes) }?
                .description == "\(l): has 2 labels but \(i) has 3 images")

        let (i2, l2) = try writePair(in: folder, images: images, labels: DatasetFiles.idxLabels([1, 10, 2]), gzip: false)
        #expect(
            datasetError { _ = try IDXReader.load(images: i2, labels: l2, classes: classes) }?
                .description == "\(l2): label 10 at index 1 is out of range (10 classes)")

        let missing = folder.appendingPathComponent("nothing-idx3-ubyte").path
        #expect(
            datasetError { _ = try IDXReader.load(images: missing, labels: l, classes: classes) }?
                .description == "\(missing): no such file")
    }
}
