extension MNISTCSV {
    /// "0" … "9": the digits' class names, index = digit.
    public static let digitClasses = (0...9).map(String.init)

    /// The CSV as one dataset (classes "0"..."9"); errors as `DatasetError.file`.
    public static func loadDataset(path: String, classes: [String] = digitClasses) throws -> LabeledDataset {
        let rows: (images: [DecodedImage], labels: [Int])
        do {
            rows = try load(path: path)
        } catch let error as ImageDecodingError {
            throw DatasetError.file(path: path, problem: error.reason)
        }
        if let bad = rows.labels.firstIndex(where: { $0 < 0 || $0 >= classes.count }) {
            throw DatasetError.file(
                path: path, problem: "line \(bad + 1): label \(rows.labels[bad]) is out of range (\(classes.count) classes)")
        }
        return LabeledDataset(images: rows.images, labels: rows.labels, classes: classes, shape: shape)
    }

    /// A deterministic, class-balanced split: within each class, in file order, the first
    /// floor(4 * n_c / 5) rows train and the remaining (last ~20%) rows test, in integer
    /// arithmetic so no rounding can move a row. Both splits keep file order.
    /// mnist_5k (500 per class) gives 4000 train / 1000 test.
    public static func split(_ d: LabeledDataset) -> (train: LabeledDataset, test: LabeledDataset) {
        let counts = d.classCounts
        let trainPerClass = counts.map { $0 * 4 / 5 }
        var seen = [Int](repeating: 0, count: counts.count)
        var train: [Int] = [], test: [Int] = []
        for (i, label) in d.labels.enumerated() {
            if seen[label] < trainPerClass[label] { train.append(i) } else { test.append(i) }
            seen[label] += 1
        }
        return (d.subset(train), d.subset(test))
    }
}
