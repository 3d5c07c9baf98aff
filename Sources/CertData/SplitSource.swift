/// Which files of a folder make up one split, decided from file names.
enum SplitSource {
    enum Split: String { case train, test }

    case idx(images: String, labels: String)
    case cifar([String])
    case imageFolder(String)

    /// `ownFolder`: `folder` holds this split only (a train/ or test/ folder), so files
    /// without a split in their name count too. Otherwise (torchvision's MNIST/raw,
    /// cifar-10-batches-bin) names pick the split: train-*, t10k-*/test-*;
    /// data_batch_N.bin, test_batch.bin.
    static func find(
        in folder: String, split: Split, ownFolder: Bool,
        kind: DatasetKind, name: String
    ) throws -> SplitSource {
        let files = try DirectoryListing.files(under: folder, depth: 4)
        let fail = { (problem: String) in DatasetError.locate(dataset: name, problem: problem) }
        if let idx = try idxPair(files, split: split, ownFolder: ownFolder, fail: fail) { return idx }
        if let batches = try cifarBatches(files, split: split, ownFolder: ownFolder, fail: fail) { return .cifar(batches) }
        if ownFolder, !(try DirectoryListing.subdirectories(folder)).isEmpty { return .imageFolder(folder) }
        let what = "IDX files, CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin)"
        throw fail(
            ownFolder
                ? "no \(what) or class subfolders of images in \(folder)"
                : "no train/ and test/ subfolders in \(folder), and no \(what) for the \(split) split")
    }

    func load(kind: DatasetKind, name: String) throws -> LabeledDataset {
        let d: LabeledDataset
        switch self {
        case .idx(let images, let labels):
            guard let classes = kind.classes else {
                throw DatasetError.locate(
                    dataset: name, problem: "\(images): IDX files hold grey images; \(kind.rawValue) needs \(kind.shape) class folders")
            }
            d = try IDXReader.load(images: images, labels: labels, classes: classes)
            guard d.shape == kind.shape else {
                throw DatasetError.locate(dataset: name, problem: "\(images): images are \(d.shape) but \(kind.rawValue) is \(kind.shape)")
            }
        case .cifar(let batches):
            guard kind == .cifar else {
                throw DatasetError.locate(dataset: name, problem: "\(batches[0]) is a CIFAR-10 batch, not \(kind.rawValue) data")
            }
            d = try CIFAR10Reader.load(batches: batches)
        case .imageFolder(let folder):
            d = try ImageFolderReader.load(directory: folder, shape: kind.shape)
        }
        return d
    }

    private static func base(_ path: String) -> String { DirectoryListing.lastComponent(path).lowercased() }

    private static func nameSplit(_ name: String) -> Split? {
        if name.hasPrefix("train") { return .train }
        if name.hasPrefix("t10k") || name.hasPrefix("test") { return .test }
        return nil
    }

    /// This split's files among `all`; in a split's own folder, any files if none is named for it.
    private static func pick(_ all: [String], split: Split, ownFolder: Bool) -> [String] {
        let named = all.filter { nameSplit(base($0)) == split }
        return named.isEmpty && ownFolder ? all : named
    }

    private static func idxPair(
        _ files: [String], split: Split, ownFolder: Bool,
        fail: (String) -> DatasetError
    ) throws -> SplitSource? {
        // torchvision leaves both X and X.gz; the plain file is the same data, read faster.
        let plain = Set(files.filter { !$0.hasSuffix(".gz") })
        let usable = files.filter { !($0.hasSuffix(".gz") && plain.contains(String($0.dropLast(3)))) }
        func stem(_ p: String) -> String { let b = base(p); return b.hasSuffix(".gz") ? String(b.dropLast(3)) : b }
        let images = pick(usable.filter { stem($0).hasSuffix("idx3-ubyte") }, split: split, ownFolder: ownFolder)
        let labels = pick(usable.filter { stem($0).hasSuffix("idx1-ubyte") }, split: split, ownFolder: ownFolder)
        if images.isEmpty && labels.isEmpty { return nil }
        guard images.count == 1, labels.count == 1 else {
            throw fail("for the \(split) split expected one IDX image file and one label file, found images \(images) and labels \(labels)")
        }
        return .idx(images: images[0], labels: labels[0])
    }

    private static func cifarBatches(
        _ files: [String], split: Split, ownFolder: Bool,
        fail: (String) -> DatasetError
    ) throws -> [String]? {
        func number(_ p: String) -> Int? {
            let b = base(p)
            guard b.hasPrefix("data_batch_"), b.hasSuffix(".bin") else { return nil }
            return Int(b.dropFirst("data_batch_".count).dropLast(4))
        }
        let train = files.filter { number($0) != nil }.sorted { number($0)! < number($1)! }
        let test = files.filter { base($0) == "test_batch.bin" }
        var chosen = split == .train ? train : test
        if chosen.isEmpty && ownFolder { chosen = split == .train ? test : train }
        if chosen.isEmpty {
            // The Python version (cifar-10-batches-py) has the same names without .bin.
            if files.contains(where: {
                let b = base($0); return b == "test_batch" || b.hasPrefix("data_batch_") && !b.contains(".")
            }) {
                throw fail(
                    "found the Python (pickle) version of CIFAR-10; use the binary version (cifar-10-binary.tar.gz, data_batch_N.bin)")
            }
            return nil
        }
        guard Set(chosen.map(base)).count == chosen.count else {
            throw fail("several copies of the same CIFAR-10 batch: \(chosen)")
        }
        return chosen
    }
}
