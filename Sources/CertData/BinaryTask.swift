/// A two-class task cut from a labelled dataset: class `negative` becomes label 0 and
/// class `positive` label 1; every other class is dropped.
public struct BinaryTask: Sendable, Equatable {
    /// "DATASET-NEG-vs-POS", e.g. `mnist-0-vs-1`; recorded in manifests.
    public var name: String
    /// Original class index that becomes label 0.
    public var negative: Int
    /// Original class index that becomes label 1.
    public var positive: Int
    /// Names of the new labels: [negative's, positive's].
    public var classNames: [String]

    /// A task from original class indices; `classNames` are the two new labels' names.
    public init(name: String, negative: Int, positive: Int, classNames: [String]) {
        self.name = name
        self.negative = negative
        self.positive = positive
        self.classNames = classNames
    }

    /// The paper's task for a dataset, resolved by class name against `classes` (so it
    /// works whatever order folder-named classes come in): mnist 0 vs 1; fashion
    /// T-shirt/top vs Trouser; cifar bird vs airplane; dogs/cats cat vs dog (or cats/dogs).
    public static func paper(dataset: String, classes: [String]) throws -> BinaryTask {
        guard let kind = DatasetKind(name: dataset) else {
            throw DatasetError.argument("no paper task for dataset '\(dataset)'")
        }
        let names: (negative: [String], positive: [String])
        switch kind {
        case .mnist: names = (["0"], ["1"])
        case .fashion: names = (["T-shirt/top"], ["Trouser"])
        case .cifar: names = (["bird"], ["airplane"])
        case .dogscats: names = (["cat", "cats"], ["dog", "dogs"])
        }
        func find(_ wanted: [String]) throws -> Int {
            guard let i = classes.firstIndex(where: { wanted.contains($0.lowercased()) || wanted.contains($0) }) else {
                throw DatasetError.argument(
                    "dataset '\(dataset)' has no class named \(wanted.joined(separator: " or ")) (classes: \(classes.joined(separator: ", ")))"
                )
            }
            return i
        }
        let negative = try find(names.negative), positive = try find(names.positive)
        return BinaryTask(
            name: "\(kind.rawValue)-\(classes[negative])-vs-\(classes[positive])",
            negative: negative, positive: positive,
            classNames: [classes[negative], classes[positive]])
    }

    /// Only the two classes, relabelled 0 / 1, in the original order.
    public func apply(_ d: LabeledDataset) -> LabeledDataset {
        let keep = d.labels.indices.filter { d.labels[$0] == negative || d.labels[$0] == positive }
        var out = d.subset(keep)
        out.labels = out.labels.map { $0 == negative ? 0 : 1 }
        out.classes = classNames
        return out
    }
}

/// A K-class task: the chosen original classes, relabelled 0..<K in the order given.
public struct KClassTask: Sendable, Equatable {
    /// The task's name, recorded with the models.
    public var name: String
    /// Original class indices; `classes[k]` becomes label k.
    public var classes: [Int]
    /// Names of the new labels, `classNames[k]` for label k.
    public var classNames: [String]

    /// Throws when a class is out of range or repeated, or fewer than two are chosen.
    public init(name: String, classes: [Int], of names: [String]) throws {
        guard classes.count >= 2 else { throw DatasetError.argument("a task needs at least two classes, got \(classes)") }
        guard Set(classes).count == classes.count else { throw DatasetError.argument("task classes \(classes) repeat a class") }
        if let bad = classes.first(where: { $0 < 0 || $0 >= names.count }) {
            throw DatasetError.argument("task class \(bad) is out of range (\(names.count) classes)")
        }
        self.name = name
        self.classes = classes
        self.classNames = classes.map { names[$0] }
    }

    /// Every class of a dataset, labels unchanged.
    public static func all(name: String, classes names: [String]) throws -> KClassTask {
        try KClassTask(name: name, classes: Array(names.indices), of: names)
    }

    /// Only the chosen classes, relabelled 0..<K, in the original order.
    public func apply(_ d: LabeledDataset) -> LabeledDataset {
        var newLabel = [Int: Int]()
        for (k, c) in classes.enumerated() { newLabel[c] = k }
        let keep = d.labels.indices.filter { newLabel[d.labels[$0]] != nil }
        var out = d.subset(keep)
        out.labels = out.labels.map { newLabel[$0]! }
        out.classes = classNames
        return out
    }
}
