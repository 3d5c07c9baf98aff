import CertCore
import CertScheduler
import CertTraining
import Certify
import Foundation

/// The measurements of `certssb bench`. Each returns plain numbers; printing is the CLI's.
public enum Benchmarks {
    /// One sgemm shape: m, n, k, its label and the GFLOP/s of the best run (2·m·n·k / seconds).
    public struct GemmResult: Codable, Sendable { public var m, n, k: Int; public var label: String; public var gflops: Double }
    /// Forward passes per second of one model, the GFLOP/s they amount to, and MFLOP per pass.
    public struct ForwardResult: Codable, Sendable {
        /// The architecture measured, forwards per second, GFLOP/s and MFLOP per forward pass.
        public var architecture: String; public var forwardsPerSecond: Double; public var gflops: Double; public var mflopPerForward: Double
    }
    /// Certification of a batch: workers, certifying models, batch size, then images per second and
    /// one image's latency in milliseconds.
    public struct CertifyResult: Codable, Sendable {
        /// Worker threads, certifying models and images per batch.
        public var workers: Int; public var models: Int; public var batch: Int
        /// Batches' images per second (mean), and one image alone in milliseconds (mean).
        public var imagesPerSecond: Double; public var singleImageLatencyMs: Double
    }

    /// Training one model: images, epochs and batch size, then seconds per model and models per
    /// hour on one core.
    public struct TrainingResult: Codable, Sendable {
        /// Training images, epochs and mini-batch size.
        public var images: Int; public var epochs: Int; public var batchSize: Int
        /// Seconds to train one model, and the models per hour that makes on one core.
        public var secondsPerModel: Double; public var modelsPerHourPerCore: Double
    }

    /// One MNIST-CNN model trained on `data` for `epochs` on one thread (models train one
    /// per worker, so models per hour scale with the cores).
    public static func training(_ data: TrainingSet, epochs: Int, batchSize: Int) -> TrainingResult {
        BLAS.useSingleThread()
        let recipe = TrainingRecipe(
            architecture: Architecture.mnistCNN.rawValue, epochs: epochs, batchSize: batchSize,
            learningRate: 1e-3, seed: 1, loss: "bce")
        let t0 = Stopwatch.now()
        _ = ModelTrainer.train(model: 0, data: data, recipe: recipe, architecture: .mnistCNN)
        let dt = Stopwatch.now() - t0
        return TrainingResult(
            images: data.count, epochs: epochs, batchSize: batchSize, secondsPerModel: dt, modelsPerHourPerCore: 3600 / dt)
    }

    /// Normal draws per second from the Philox + Box–Muller generator, one thread.
    public static func noise(seconds: Double) -> Double {
        let count = 1 << 20
        let buffer = AlignedBuffer(count: count)
        var stream: UInt64 = 0
        let t = Stopwatch.measure(minimumSeconds: seconds) {
            GaussianNoise(seed: 1, stream: stream).fill(buffer.pointer, count: count)
            stream += 1
        }
        return Double(count) / t.best
    }

    /// Single-threaded sgemm on the shapes the engine actually runs.
    public static func gemm(seconds: Double) -> [GemmResult] {
        BLAS.useSingleThread()
        let shapes: [(String, Int, Int, Int)] = [
            ("square 512", 512, 512, 512),
            ("square 1024", 1024, 1024, 1024),
            ("mnist conv1 (16x25 · 25x576)", 16, 576, 25),
            ("mnist conv2 (32x400 · 400x64)", 32, 64, 400),
            ("mnist fc tile (16x512 · 512x512)", 16, 512, 512),
        ]
        return shapes.map { label, m, n, k in
            let a = AlignedBuffer(count: m * k), b = AlignedBuffer(count: k * n), c = AlignedBuffer(count: m * n)
            for i in 0..<(m * k) { a.pointer[i] = Float(i % 17) * 0.01 }
            for i in 0..<(k * n) { b.pointer[i] = Float(i % 13) * 0.01 }
            let t = Stopwatch.measure(minimumSeconds: seconds) {
                BLAS.gemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
            }
            return GemmResult(m: m, n: n, k: k, label: label, gflops: 2.0 * Double(m * n * k) / t.best / 1e9)
        }
    }

    /// GFLOP/s of single-threaded sgemm on `size`³, one figure per run: the mean of
    /// `products` products after one warm-up product.
    public static func sgemm(size n: Int, products: Int, repeats: Int) -> [Double] {
        BLAS.useSingleThread()
        let a = AlignedBuffer(count: n * n), b = AlignedBuffer(count: n * n), c = AlignedBuffer(count: n * n)
        for i in 0..<(n * n) { a.pointer[i] = Float(i % 17) * 0.01; b.pointer[i] = Float(i % 13) * 0.01 }
        func product() { BLAS.gemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, c: c.pointer, ldc: n) }
        product()
        return (0..<repeats).map { _ in
            let t0 = Stopwatch.now()
            for _ in 0..<products { product() }
            return 2.0 * Double(n * n * n) * Double(products) / (Stopwatch.now() - t0) / 1e9
        }
    }

    /// FLOPs of one forward pass: 2·MACs of every convolution and linear layer.
    public static func flops(_ plan: NetworkPlan) -> Double {
        var macs = Double(plan.stem.outputCount * plan.stem.patchSize)
        for step in plan.trunk { if case let .conv(g, _, _, _, _, _) = step { macs += Double(g.outputCount * g.patchSize) } }
        for step in plan.head { macs += Double(step.inFeatures * step.outFeatures) }
        return 2 * macs
    }

    /// Forward passes per second of one model on one thread, in tiles of `Linear.tileWidth` images.
    public static func forward(ensemble: Ensemble, seconds: Double) -> ForwardResult {
        BLAS.useSingleThread()
        let ws = ensemble.makeWorkspace()
        let n = ensemble.plan.stem.inputCount
        let images = (0..<Linear.tileWidth).map { i -> PreparedImage in
            let pixels: [Float] = (0..<n).map { j in Float((j * 7 + i) % 255) / 255 }
            return ensemble.prepare(pixels)
        }
        let scales = [Float](repeating: 0.12, count: images.count)
        var sink: Float = 0
        let t = Stopwatch.measure(minimumSeconds: seconds) {
            ensemble.forward(model: 0, images: images[...], scales: scales[...], workspace: ws) { _, p in sink += p[0] }
        }
        let perSecond = Double(images.count) / t.best
        let f = flops(ensemble.plan)
        _ = sink
        return ForwardResult(
            architecture: ensemble.plan.architecture.rawValue, forwardsPerSecond: perSecond,
            gflops: perSecond * f / 1e9, mflopPerForward: f / 1e6)
    }

    /// Certification throughput for a batch and the latency of a single image.
    public static func certify(modelSet: ModelSet, ensemble: Ensemble, workers: Int, batch: Int, seconds: Double) -> CertifyResult {
        // sigma0 for every image; the label still comes from the set's search models.
        let certifier = Certifier(modelSet: modelSet, workers: workers, sigma: .fixedRule)
        let n = ensemble.plan.stem.inputCount
        let requests = (0..<batch).map { i -> CertificationRequest in
            let pixels: [Float] = (0..<n).map { j in Float((j * 3 + i * 11) % 255) / 255 }
            return CertificationRequest(pixels: pixels, sha256: String(i), source: "bench")
        }
        let throughput = Stopwatch.measure(minimumSeconds: seconds, minimumIterations: 2) { _ = certifier.certify(requests) }
        let single = Stopwatch.measure(minimumSeconds: seconds / 2, minimumIterations: 3) { _ = certifier.certify([requests[0]]) }
        return CertifyResult(
            workers: certifier.scheduler.workers, models: certifier.scheduler.ensemble.count, batch: batch,
            imagesPerSecond: Double(batch) / throughput.mean, singleImageLatencyMs: single.mean * 1000)
    }
}
