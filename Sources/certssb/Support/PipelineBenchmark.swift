import CertData
import CertPipeline
import CertShape
import Foundation

/// certssbd's path for uploaded images, without the socket: decode, certify with every
/// trigger plugin's report, storage-update and one LMDB commit per micro-batch, into a
/// temporary store. Shows what the daemon costs on top of `certify`.
enum PipelineBenchmark {
    struct Result: Encodable {
        var workers: Int
        var images: Int
        var plugins: Int
        var imagesPerSecond: Double
    }

    static func run(modelSet: String, workers: Int, images: Int) throws -> Result {
        let state = NSTemporaryDirectory() + "certssb-bench-pipeline-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        var config = DaemonConfig()
        config.modelSet = modelSet
        config.stateDir = state
        config.watchDir = ""
        config.workers = workers
        config.sigmaRule = .fixed
        let pipeline = try CertificationPipeline(config: config)
        pipeline.start()
        defer { pipeline.drain() }
        // Distinct images (the store would answer repeats without certifying), seeded.
        var generator = SeededGenerator(seed: 20261125)
        let shape = ImageShape(channels: 1, height: 28, width: 28)
        let pngs = try (0..<images).map { _ in
            try PNGEncoder.encode(
                DecodedImage(shape: shape, pixels: (0..<shape.count).map { _ in Float(generator.next() >> 40) / Float(1 << 24) }))
        }
        let done = DispatchGroup()
        let started = DispatchTime.now()
        for png in pngs {
            done.enter()
            pipeline.submit(bytes: png, source: "bench") { _ in done.leave() }
        }
        done.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return Result(workers: workers, images: images, plugins: pipeline.triggerPluginCount, imagesPerSecond: Double(images) / seconds)
    }
}
