import CertShape

/// A folder with one subfolder per class (torchvision's ImageFolder layout): subfolder
/// names, sorted bytewise, are the classes and their indices the labels. Each file is
/// decoded by `ImageDecoder` (type from its bytes) and fitted to `shape` by `ImageResize`
/// (bilinear, align_corners=false; grey→RGB replicates, RGB→grey uses BT.601 weights).
/// Files are visited in sorted path order, recursively below each class folder.
public enum ImageFolderReader {
    /// Fails on the first unreadable file unless `skipUnreadable`, which drops such files
    /// silently; use `loadReporting` to learn which were dropped.
    public static func load(
        directory: String, shape: ImageShape,
        skipUnreadable: Bool = false
    ) throws -> LabeledDataset {
        try loadReporting(directory: directory, shape: shape, skipUnreadable: skipUnreadable).dataset
    }

    /// As `load`, also returning the files that were skipped and why.
    public static func loadReporting(directory: String, shape: ImageShape, skipUnreadable: Bool = false)
        throws -> (dataset: LabeledDataset, skipped: [ImageDecodingError])
    {
        guard DirectoryListing.kind(directory) == .directory else {
            throw DatasetError.file(
                path: directory, problem: DirectoryListing.kind(directory) == nil ? "no such folder" : "is not a folder")
        }
        let classes = try DirectoryListing.subdirectories(directory)
        guard !classes.isEmpty else {
            throw DatasetError.file(path: directory, problem: "no class subfolders (expected one folder of images per class)")
        }
        var pixels: [Float] = []
        var labels: [Int] = []
        var skipped: [ImageDecodingError] = []
        for (label, name) in classes.enumerated() {
            let folder = DirectoryListing.join(directory, name)
            var found = 0
            for file in try DirectoryListing.files(under: folder, depth: 8) {
                do {
                    let image = try ImageResize.fit(try ImageDecoder.decodeFile(atPath: file), to: shape)
                    pixels.append(contentsOf: image.pixels)
                    labels.append(label)
                    found += 1
                } catch let error as ImageDecodingError {
                    guard skipUnreadable else { throw DatasetError.file(path: file, problem: error.reason) }
                    skipped.append(error)
                } catch let failure as DecodeFailure {
                    let error = ImageDecodingError(source: file, reason: failure.reason)
                    guard skipUnreadable else { throw DatasetError.file(path: file, problem: failure.reason) }
                    skipped.append(error)
                }
            }
            guard found > 0 else {
                throw DatasetError.file(path: folder, problem: "class folder '\(name)' has no readable images")
            }
        }
        return (LabeledDataset(shape: shape, pixels: pixels, labels: labels, classes: classes), skipped)
    }
}
