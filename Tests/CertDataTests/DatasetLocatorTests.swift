import CertData
import CertMath
import CertShape
import CertTestSupport
import Foundation
import Testing

@Suite("Dataset locator", .blockingWork)
struct DatasetLocatorTests {
    private func idx(_ folder: URL, prefix: String, labels: [UInt8], gzip: Bool) throws {
        let images = DatasetFiles.patternImages(count: labels.count, height: 28, width: 28)
        let gz = gzip ? ".gz" : ""
        try DatasetFiles.write(
            DatasetFiles.idxImages(images, height: 28, width: 28),
            to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte\(gz)").path, gzip: gzip)
        try DatasetFiles.write(
            DatasetFiles.idxLabels(labels),
            to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte\(gz)").path, gzip: gzip)
    }

    @Test func paperLayoutWithIDXFiles() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let root = temporary.url
        let mnist = root.appendingPathComponent("data/MNIST")
        try idx(mnist.appendingPathComponent("train"), prefix: "train", labels: [0, 1, 2, 3, 4], gzip: true)
        // torchvision's layout inside the test split: MNIST/raw with both splits, .gz next
        // to the extracted file; the t10k pair must be chosen.
        let raw = mnist.appendingPathComponent("test/MNIST/raw")
        try idx(raw, prefix: "t10k", labels: [9, 8], gzip: false)
        try idx(raw, prefix: "t10k", labels: [9, 8], gzip: true)
        try idx(raw, prefix: "train", labels: [1, 1, 1], gzip: false)
        let (train, test) = try DatasetLocator.load(dataset: "mnist", data: root.appendingPathComponent("data").path, sharedDirectory: nil)
        #expect(train.labels == [0, 1, 2, 3, 4] && test.labels == [9, 8])
        #expect(train.shape == ImageShape(channels: 1, height: 28, width: 28) && train.classes == (0...9).map(String.init))
        // The dataset folder itself works too.
        #expect(try DatasetLocator.load(dataset: "MNIST", data: mnist.path, sharedDirectory: nil).test.count == 2)
        // So does a folder holding both splits' files.
        #expect(try DatasetLocator.load(dataset: "mnist", data: raw.path, sharedDirectory: nil).train.labels == [1, 1, 1])
    }

    @Test func cifarBatchesAndImageFolders() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let root = temporary.url
        let bin = root.appendingPathComponent("Cifar/cifar-10-batches-bin")
        let record = { (label: UInt8) in [label] + [UInt8](repeating: 7, count: 3072) }
        try DatasetFiles.write(record(2) + record(0), to: bin.appendingPathComponent("data_batch_2.bin").path)
        try DatasetFiles.write(record(1), to: bin.appendingPathComponent("data_batch_1.bin").path)
        try DatasetFiles.write(record(5), to: bin.appendingPathComponent("test_batch.bin").path)
        let cifar = try DatasetLocator.load(dataset: "cifar", data: root.path, sharedDirectory: nil)
        #expect(cifar.train.labels == [1, 2, 0] && cifar.test.labels == [5])

        for split in ["train", "test"] {
            for cls in ["cat", "dog"] {
                let folder = root.appendingPathComponent("ImageNet/\(split)/\(cls)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(try PNGEncoder.encode(gradientImage(channels: 3, height: 6, width: 5, levels: 255)))
                    .write(to: folder.appendingPathComponent("x.png"))
            }
        }
        let dogs = try DatasetLocator.load(dataset: "imagenet", data: root.path, sharedDirectory: nil)
        #expect(dogs.train.shape == ImageShape(channels: 3, height: 224, width: 224))
        #expect(dogs.train.classes == ["cat", "dog"] && dogs.test.labels == [0, 1])
    }

    @Test func clearErrors() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let root = temporary.url
        let missing = root.appendingPathComponent("nope").path
        #expect(
            datasetError { _ = try DatasetLocator.load(dataset: "mnist", data: missing, sharedDirectory: nil) }?
                .description == "dataset 'mnist': --data \(missing): no such file or folder")
        #expect(
            datasetError { _ = try DatasetLocator.load(dataset: "mnist", data: root.path, sharedDirectory: nil) }?
                .description.contains("no train/ and test/ subfolders in \(root.path)") == true)
        #expect(
            datasetError { _ = try DatasetLocator.load(dataset: "cifar", data: nil, sharedDirectory: nil) }?
                .description.contains("pass --data") == true)
        #expect(
            datasetError { _ = try DatasetLocator.load(dataset: "svhn", data: nil, sharedDirectory: nil) }?
                .description.contains("unknown dataset") == true)
        // IDX files given for CIFAR: the shape check says so.
        try idx(root.appendingPathComponent("train"), prefix: "train", labels: [1], gzip: false)
        try idx(root.appendingPathComponent("test"), prefix: "t10k", labels: [1], gzip: false)
        #expect(
            datasetError { _ = try DatasetLocator.load(dataset: "cifar", data: root.path, sharedDirectory: nil) }?
                .description.contains("images are 1x28x28 but cifar is 3x32x32") == true)
    }

    @Test func csvSplitIsDeterministicAndClassBalanced() throws {
        let temporary = try TemporaryDirectory("certdata")
        defer { temporary.remove() }
        let folder = temporary.url
        // Classes interleaved, 10 / 5 / 7 rows; pixel 0 numbers the row.
        var rows: [String] = [], labels: [Int] = []
        for (c, n) in [(0, 10), (1, 5), (2, 7)] { labels += Array(repeating: c, count: n) }
        var generator = SplitMix64(seed: 3)
        labels.shuffle(using: &generator)
        for (i, l) in labels.enumerated() {
            rows.append(([i] + Array(repeating: 0, count: 783) + [l]).map(String.init).joined(separator: ","))
        }
        let path = folder.appendingPathComponent("digits.csv").path
        try Data(rows.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))

        let a = try DatasetLocator.load(dataset: "mnist", data: path, sharedDirectory: nil)
        let b = try DatasetLocator.load(dataset: "mnist", data: path, sharedDirectory: nil)
        #expect(a.train == b.train && a.test == b.test)
        #expect(a.train.classCounts.prefix(3) == [8, 4, 5] && a.test.classCounts.prefix(3) == [2, 1, 2])
        // The test rows are the last of each class, in file order.
        let rowOf = { (d: LabeledDataset, k: Int) in Int((d.image(k).first! * 255).rounded()) }
        var expected: [Int] = []
        for c in 0..<3 { expected += labels.indices.filter { labels[$0] == c }.suffix([2, 1, 2][c]) }
        #expect((0..<a.test.count).map { rowOf(a.test, $0) } == expected.sorted())
    }

    @Test(.enabled(if: hasMNIST, "needs ../shared/data/mnist_5k.csv.gz next to the package"))
    func sharedMNISTWithoutData() throws {
        let (train, test) = try DatasetLocator.load(dataset: "mnist", data: nil, sharedDirectory: sharedFolder.path)
        #expect(train.count == 4000 && test.count == 1000)
        #expect(train.classCounts == Array(repeating: 400, count: 10) && test.classCounts == Array(repeating: 100, count: 10))
    }

    @Test func fashionFromTheDebianPackage() throws {
        guard hasFashion else {
            print("skipped: \(fashionFolder) is missing (Debian package dataset-fashion-mnist, scripts/install-deps.sh)")
            return
        }
        let (train, test) = try DatasetLocator.load(dataset: "fashion", data: nil, sharedDirectory: nil)
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.classes.count == 10 && train.classes[0] == "T-shirt/top" && train.classes[1] == "Trouser")
        #expect(train.classCounts == Array(repeating: 6000, count: 10) && test.classCounts == Array(repeating: 1000, count: 10))
        #expect(train.shape == ImageShape(channels: 1, height: 28, width: 28))
        let first = train.subset(Array(0..<100)).pixels
        #expect(first.allSatisfy { $0 >= 0 && $0 <= 1 } && first.contains { $0 == 1 })
    }
}
