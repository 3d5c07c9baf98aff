import CertCore

/// Trains one model of the ensemble on x_i + sigma_i·b_{m,i}, with b_{m,i} fixed for the
/// model (the same draw in every epoch, RAB's stage 2). One thread, single-threaded BLAS:
/// models are the unit of parallelism, so a model's weights never depend on the worker count.
public enum ModelTrainer {
    /// One trained model.
    public struct Result: Sendable {
        /// Its tensors, in the architecture's order and names, ready for `Safetensors.encode`.
        public var tensors: [(name: String, shape: [Int], values: [Float])]
        /// Loss of the last mini-batch.
        public var finalLoss: Double
        /// Accuracy on the noisy training inputs during the last epoch.
        public var trainAccuracy: Double
        /// The seeds it was trained with.
        public var seeds: ModelSeeds
    }

    /// Stream of the training noise b_{m,i}: position i·D + j of the model's noise seed.
    static let trainingNoiseStream: UInt64 = 0x7472_6169_6E00_0000  // "train"

    /// Trains model `model` (Adam, `recipe.epochs` epochs of shuffled mini-batches) on the fixed
    /// noisy inputs; nil when `shouldStop` said so between batches.
    public static func train(
        model: Int, data: TrainingSet, recipe: TrainingRecipe, architecture: Architecture,
        shouldStop: () -> Bool = { false }
    ) -> Result? {
        let seeds = ModelSeeds(master: recipe.seed, model: model)
        let network = TrainableNetwork(architecture, seed: seeds.initialization)
        let optimizer = Adam(parameters: network.parameters, learningRate: Float(recipe.learningRate))
        let noise = GaussianNoise(
            seed: UInt32(truncatingIfNeeded: seeds.noise),
            stream: trainingNoiseStream ^ (seeds.noise >> 32))
        let d = data.itemCount, n = data.count
        let binary = architecture.outputs == 1
        var order = Array(0..<n)
        var lastLoss = 0.0, correct = 0, seen = 0
        // b_{m,i} is fixed for the model, so the noisy inputs are built once, not every epoch.
        var noisy = data.pixels
        noisy.withUnsafeMutableBufferPointer { out in
            var draw = [Float](repeating: 0, count: d)
            draw.withUnsafeMutableBufferPointer { b in
                for i in 0..<n {
                    noise.fill(b.baseAddress!, count: d, start: i * d)
                    let s = data.sigmas[i], row = out.baseAddress! + i * d
                    for j in 0..<d { row[j] += s * b[j] }
                }
            }
        }
        for epoch in 0..<recipe.epochs {
            shuffle(&order, seed: seeds.shuffle, epoch: epoch)
            correct = 0; seen = 0
            var start = 0
            while start < n {
                if shouldStop() { return nil }
                let batch = Array(order[start..<min(start + recipe.batchSize, n)])
                start += recipe.batchSize
                var x = Tensor(zeros: [batch.count] + data.shape)
                x.data.withUnsafeMutableBufferPointer { xs in
                    noisy.withUnsafeBufferPointer { src in
                        for (slot, i) in batch.enumerated() {
                            (xs.baseAddress! + slot * d).update(from: src.baseAddress! + i * d, count: d)
                        }
                    }
                }
                let labels = batch.map { data.labels[$0] }
                network.zeroGrad()
                let logits = network.forward(x, training: true)
                let (loss, grad) =
                    binary
                    ? Loss.binaryCrossEntropyWithLogits(logits, labels: labels)
                    : Loss.softmaxCrossEntropy(logits, labels: labels)
                network.backward(grad)
                optimizer.update()
                lastLoss = loss
                correct += zip(predictions(logits, binary: binary), labels).filter { $0 == $1 }.count
                seen += batch.count
            }
        }
        return Result(
            tensors: network.exportTensors(), finalLoss: lastLoss,
            trainAccuracy: seen > 0 ? Double(correct) / Double(seen) : 0, seeds: seeds)
    }

    static func predictions(_ logits: Tensor, binary: Bool) -> [Int] {
        if binary { return logits.data.map { $0 > 0 ? 1 : 0 } }
        let k = logits.shape[1]
        return (0..<logits.batch).map { i in
            var best = 0
            for c in 1..<k where logits.data[i * k + c] > logits.data[i * k + best] { best = c }
            return best
        }
    }

    /// Fisher–Yates with uniforms from Philox keyed by (shuffle seed, epoch).
    static func shuffle(_ order: inout [Int], seed: UInt64, epoch: Int) {
        let philox = Philox4x32(key0: UInt32(truncatingIfNeeded: seed), key1: UInt32(truncatingIfNeeded: seed >> 32))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let w = philox.block((UInt32(i), UInt32(epoch), 0x5348_5546, 0))  // "SHUF"
            let r = (UInt64(w.0) << 32 | UInt64(w.1)) % UInt64(i + 1)
            order.swapAt(i, Int(r))
        }
    }
}
