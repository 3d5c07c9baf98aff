import CertCore
import CertTestSupport
import Foundation
import Testing

@testable import CertTraining

@Suite(.blockingWork) struct EnsembleTrainerTests {
    /// A separable toy task: bright top half (label 1) vs bright bottom half (label 0).
    static func toyData(_ n: Int = 48) -> TrainingSet {
        var pixels: [Float] = [], labels: [Int] = []
        let noise = GaussianNoise(seed: 99)
        for i in 0..<n {
            let label = i % 2
            let jitter = noise.draws(count: 784, start: i * 784)
            for p in 0..<784 {
                let top = p < 392
                pixels.append(min(max(((top == (label == 1)) ? 0.8 : 0.1) + 0.05 * jitter[p], 0), 1))
            }
            labels.append(label)
        }
        return TrainingSet(shape: [1, 28, 28], pixels: pixels, labels: labels, sigmas: [Float](repeating: 0.12, count: n), classes: 2)
    }

    static let recipe = TrainingRecipe(architecture: "mnist-cnn", epochs: 2, batchSize: 16, learningRate: 1e-3, seed: 7, loss: "bce")

    /// Trains into `set` inside `dir` (a fresh temporary directory unless one is given).
    static func train(models: Int, workers: Int, recipe: TrainingRecipe = recipe, into dir: TemporaryDirectory? = nil) throws -> (
        TemporaryDirectory, [EnsembleTrainer.ModelRecord], EnsembleTrainer.Progress?
    ) {
        let dir = try dir ?? TemporaryDirectory("ensemble")
        let trainer = EnsembleTrainer(
            directory: dir.file("set"), data: toyData(), recipe: recipe, architecture: .mnistCNN, models: models, workers: workers)
        var first: EnsembleTrainer.Progress?
        let records = try trainer.run { p in if first == nil { first = p } }
        return (dir, records, first)
    }

    @Test func weightsDoNotDependOnTheWorkerCount() throws {
        let (_, one, _) = try Self.train(models: 3, workers: 1)
        let (_, two, _) = try Self.train(models: 3, workers: 2)
        #expect(one.map(\.sha256) == two.map(\.sha256))
        #expect(Set(one.map(\.sha256)).count == 3, "models must differ from each other")
        var other = Self.recipe
        other.seed = 8
        let (_, reseeded, _) = try Self.train(models: 1, workers: 1, recipe: other)
        #expect(reseeded[0].sha256 != one[0].sha256)
    }

    @Test func aRerunResumesWithoutRetrainingFinishedModels() throws {
        let (dir, firstRun, _) = try Self.train(models: 2, workers: 2)
        let (_, resumed, progress) = try Self.train(models: 3, workers: 2, into: dir)
        #expect(progress?.resumed == 2)
        #expect(Array(resumed.prefix(2)) == firstRun, "finished models are reused as they were (same record, same seconds)")
        let (_, clean, _) = try Self.train(models: 3, workers: 1)
        #expect(resumed.map(\.sha256) == clean.map(\.sha256))
    }

    @Test func aDifferentRecipeCannotResumeAnotherRunsModels() throws {
        let (dir, _, _) = try Self.train(models: 1, workers: 1)
        var other = Self.recipe
        other.epochs = 3
        #expect(throws: TrainingError.self) { try Self.train(models: 1, workers: 1, recipe: other, into: dir) }
    }

    @Test func aDamagedPartialModelIsTrainedAgain() throws {
        let (dir, records, _) = try Self.train(models: 2, workers: 1)
        let path = dir.file("set") + "/.partial/" + records[1].file
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 1] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: path))
        let (_, again, progress) = try Self.train(models: 2, workers: 1, into: dir)
        #expect(progress?.resumed == 1)
        #expect(again.map(\.sha256) == records.map(\.sha256))
    }

    @Test func trainingLearnsASeparableTask() {
        var recipe = Self.recipe
        recipe.epochs = 4
        let result = ModelTrainer.train(model: 0, data: Self.toyData(64), recipe: recipe, architecture: .mnistCNN)!
        #expect(result.trainAccuracy > 0.95, "train accuracy \(result.trainAccuracy)")
        #expect(result.finalLoss < 0.3)
    }

    @Test func shuffleIsAPermutationAndDependsOnEpoch() {
        var a = Array(0..<50), b = Array(0..<50)
        ModelTrainer.shuffle(&a, seed: 3, epoch: 0)
        ModelTrainer.shuffle(&b, seed: 3, epoch: 1)
        #expect(a.sorted() == Array(0..<50) && b.sorted() == Array(0..<50))
        #expect(a != b && a != Array(0..<50))
    }
}

@Suite struct ModelSeedTests {
    /// No seed may serve two models or two roles: a shared stream would correlate models.
    @Test func seedsAreDistinctAcrossModelsAndRoles() {
        for master: UInt64 in [0, 1, 2, 12345] {
            let seeds = (0..<1000).map { ModelSeeds(master: master, model: $0) }
            let all = seeds.flatMap { [$0.initialization, $0.noise, $0.shuffle] }
            #expect(Set(all).count == all.count, "master \(master)")
        }
        #expect(ModelSeeds(master: 1, model: 5) == ModelSeeds(master: 1, model: 5))
    }
}
