import CertData
import CertShape
import CertTestSupport
import Foundation
import Testing

@Suite("Image folder reader")
struct ImageFolderReaderTests {
    // 8-bit PNG values are k/255 exactly.
    let grey2x2: [Float] = [0, 51, 102, 255].map { Float($0) / 255 }

    /// The folder, removed when the returned directory goes away.
    private func makeFolder() throws -> (URL, TemporaryDirectory) {
        let directory = try TemporaryDirectory("certdata")
        let folder = directory.url
        let cat = folder.appendingPathComponent("cat"), dog = folder.appendingPathComponent("dog")
        for f in [cat, dog] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
        let small = DecodedImage(shape: ImageShape(channels: 1, height: 2, width: 2), pixels: grey2x2)
        let rgb = gradientImage(channels: 3, height: 4, width: 4, levels: 255)
        try Data(try PNGEncoder.encode(small)).write(to: cat.appendingPathComponent("a.png"))
        try Data(try PNGEncoder.encode(rgb)).write(to: cat.appendingPathComponent("b.png"))
        try Data(try PNGEncoder.encode(gradientImage(channels: 1, height: 4, width: 4, levels: 255)))
            .write(to: dog.appendingPathComponent("c.png"))
        return (folder, directory)
    }

    @Test func resizesAndConvertsChannels() throws {
        let (folder, directory) = try makeFolder()
        defer { withExtendedLifetime(directory) {} }
        let d = try ImageFolderReader.load(directory: folder.path, shape: ImageShape(channels: 3, height: 4, width: 4))
        #expect(d.classes == ["cat", "dog"] && d.labels == [0, 0, 1])
        let a = Array(d.image(0))
        // Hand-computed bilinear 2x2 -> 4x4, align_corners=false: output x samples input
        // (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (upper tap clamped).
        let (p, q, r, s) = (grey2x2[0], grey2x2[1], grey2x2[2], grey2x2[3])
        #expect(a[0] == p)  // (0,0)
        #expect(abs(a[1 * 4 + 1] - (0.75 * (0.75 * p + 0.25 * q) + 0.25 * (0.75 * r + 0.25 * s))) < 1e-6)
        // By hand: 0.75 * (0.75*0 + 0.25*51) + 0.25 * (0.75*102 + 0.25*255) = 44.625 (of 255).
        #expect(abs(a[1 * 4 + 1] - 44.625 / 255) < 1e-6)
        #expect(abs(a[0 * 4 + 2] - (0.25 * p + 0.75 * q)) < 1e-6)  // row 0, x=0.75
        #expect(a[15] == s)  // (3,3): clamped
        // Grey -> RGB replicates the plane.
        #expect(Array(a[0..<16]) == Array(a[16..<32]) && Array(a[0..<16]) == Array(a[32..<48]))
        // A 4x4 RGB image is kept as it is.
        #expect(Array(d.image(1)) == gradientImage(channels: 3, height: 4, width: 4, levels: 255).pixels)

        // RGB -> grey with BT.601 weights.
        let g = try ImageFolderReader.load(directory: folder.path, shape: ImageShape(channels: 1, height: 4, width: 4))
        let rgb = gradientImage(channels: 3, height: 4, width: 4, levels: 255).pixels
        for k in [0, 5, 15] {
            #expect(abs(g.image(1)[g.image(1).startIndex + k] - (0.299 * rgb[k] + 0.587 * rgb[16 + k] + 0.114 * rgb[32 + k])) < 1e-6)
        }
    }

    @Test func unreadableFilesFailOrAreSkipped() throws {
        let (folder, directory) = try makeFolder()
        defer { withExtendedLifetime(directory) {} }
        let notes = folder.appendingPathComponent("dog/notes.txt")
        try Data("not an image".utf8).write(to: notes)
        let shape = ImageShape(channels: 1, height: 4, width: 4)
        let error = datasetError { _ = try ImageFolderReader.load(directory: folder.path, shape: shape) }
        #expect(error?.description.hasPrefix(notes.path + ": unknown image format") == true)

        let (d, skipped) = try ImageFolderReader.loadReporting(directory: folder.path, shape: shape, skipUnreadable: true)
        #expect(d.count == 3 && skipped.map(\.source) == [notes.path])
        #expect(try ImageFolderReader.load(directory: folder.path, shape: shape, skipUnreadable: true).count == 3)
    }

    @Test func emptyAndMissingFolders() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        let shape = ImageShape(channels: 1, height: 4, width: 4)
        #expect(
            datasetError { _ = try ImageFolderReader.load(directory: folder.path, shape: shape) }?
                .description.contains("no class subfolders") == true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        #expect(
            datasetError { _ = try ImageFolderReader.load(directory: folder.path, shape: shape) }?
                .description.contains("class folder 'empty' has no readable images") == true)
        let missing = folder.appendingPathComponent("missing").path
        #expect(
            datasetError { _ = try ImageFolderReader.load(directory: missing, shape: shape) }?
                .description == "\(missing): no such folder")
    }
}
