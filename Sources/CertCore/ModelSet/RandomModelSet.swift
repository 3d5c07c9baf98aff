import Foundation

/// Model sets with seeded random weights (He-normal, BatchNorm near identity), for
/// benchmarks and tests where trained weights are not the point.
public enum RandomModelSet {
    /// One model's tensors for `architecture`, drawn from Philox with key `seed`: He-normal weights
    /// (std sqrt(2/fan-in)), small biases, BatchNorm close to the identity.
    public static func tensors(for architecture: Architecture, seed: UInt32) -> [(name: String, shape: [Int], values: [Float])] {
        var position = 0
        let noise = GaussianNoise(seed: seed, stream: 0xBE9C_4000)
        return architecture.parameterSpecs.map { spec in
            let n = spec.count
            let draws = noise.draws(count: n, start: position)
            position += n
            let fanIn = spec.shape.count > 1 ? spec.shape.dropFirst().reduce(1, *) : 1
            let values: [Float]
            if spec.name.hasSuffix("running_var") {
                values = draws.map { 1 + 0.1 * abs($0) }
            } else if spec.name.hasSuffix("running_mean") || spec.name.hasSuffix(".bias") {
                values = draws.map { 0.05 * $0 }
            } else if spec.shape.count == 1 {  // BatchNorm weight
                values = draws.map { 1 + 0.1 * $0 }
            } else {
                let std = Float((2.0 / Double(fanIn)).squareRoot())
                values = draws.map { $0 * std }
            }
            return (spec.name, spec.shape, values)
        }
    }

    /// Writes `count` random models; model i has weight seed `seed + i` and noise seed
    /// derived from its file's SHA-256, as for any other set.
    @discardableResult
    public static func write(
        directory: String, architecture: Architecture, count: Int, seed: UInt32 = 1,
        sigma0: Double = 0.12, dtype: Safetensors.DType = .f32
    ) throws -> ModelSetManifest {
        let modelTensors = (0..<count).map { Self.tensors(for: architecture, seed: seed &+ UInt32($0)) }
        let placeholder = (0..<count).map {
            ModelSetManifest.Model(index: $0, file: "", sha256: String(repeating: "0", count: 64), noiseSeed: 0)
        }
        var manifest = ModelSetManifest(
            name: "random-\(architecture.rawValue)-\(count)", architecture: architecture, classes: ["0", "1"],
            sigma0: sigma0, trigger: "none", delta: 0, poisonRate: 0, weightsDtype: dtype.rawValue, models: placeholder,
            training: .object(["method": .string("random"), "seed": .number(Double(seed))]),
            createdAt: ISO8601DateFormatter().string(from: Date()), tool: "certssb")
        manifest = try ModelSet.write(directory: directory, manifest: manifest, tensors: modelTensors)
        for i in manifest.models.indices { manifest.models[i].noiseSeed = Checksum.seedModulo32(sha256Hex: manifest.models[i].sha256) }
        try manifest.encoded().write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("manifest.json")), options: .atomic)
        return manifest
    }
}
