import CertData
import CertShape
import Foundation
import Testing

@Suite("Tasks")
struct TaskTests {
    private func tiny(labels: [Int], classes: [String]) -> LabeledDataset {
        let shape = ImageShape(channels: 1, height: 1, width: 2)
        return LabeledDataset(shape: shape, pixels: labels.indices.flatMap { [Float($0), 0] }, labels: labels, classes: classes)
    }

    @Test(.enabled(if: hasMNIST, "needs ../shared/data/mnist_5k.csv.gz next to the package"))
    func mnistZeroVsOne() throws {
        let d = try MNISTCSV.loadDataset(path: mnistPath)
        let task = try BinaryTask.paper(dataset: "mnist", classes: d.classes)
        #expect(task.negative == 0 && task.positive == 1 && task.classNames == ["0", "1"])
        let b = task.apply(d)
        #expect(b.count == 1000 && Set(b.labels) == [0, 1] && b.classCounts == [500, 500])
        // Same images, same order: the first kept row is the first 0 or 1 of the file.
        let first = try #require(d.labels.firstIndex { $0 <= 1 })
        #expect(Array(b.image(0)) == Array(d.image(first)) && b.labels[0] == d.labels[first])
    }

    @Test func paperTasksByName() throws {
        let cifar = try BinaryTask.paper(dataset: "cifar", classes: CIFAR10Reader.classes)
        #expect(cifar.negative == 2 && cifar.positive == 0 && cifar.classNames == ["bird", "airplane"])
        let fashion = try BinaryTask.paper(dataset: "fashion", classes: DatasetKind.fashionClasses)
        #expect(fashion.negative == 0 && fashion.positive == 1)
        let dogs = try BinaryTask.paper(dataset: "imagenet", classes: ["cats", "dogs"])
        #expect(dogs.negative == 0 && dogs.positive == 1)
        #expect(throws: DatasetError.self) { try BinaryTask.paper(dataset: "dogscats", classes: ["fox", "dog"]) }

        let relabelled = cifar.apply(tiny(labels: [0, 5, 2, 2, 0, 9], classes: CIFAR10Reader.classes))
        #expect(relabelled.labels == [1, 0, 0, 1] && relabelled.classes == ["bird", "airplane"])
        #expect(relabelled.pixels == [0, 0, 2, 0, 3, 0, 4, 0])
    }

    @Test func kClassTasks() throws {
        let d = tiny(labels: [0, 1, 2, 3, 2], classes: ["a", "b", "c", "d"])
        let all = try KClassTask.all(name: "all", classes: d.classes)
        #expect(all.apply(d) == d)
        let chosen = try KClassTask(name: "dca", classes: [3, 2, 0], of: d.classes)
        let out = chosen.apply(d)
        #expect(out.labels == [2, 1, 0, 1] && out.classes == ["d", "c", "a"])
        #expect(throws: DatasetError.self) { try KClassTask(name: "x", classes: [0, 0], of: d.classes) }
        #expect(throws: DatasetError.self) { try KClassTask(name: "x", classes: [0, 4], of: d.classes) }
    }
}
