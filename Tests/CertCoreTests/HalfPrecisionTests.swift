import CertCore
import CertTestSupport
import Foundation
import Testing

/// fp16 sets: the large head weights stay halves in the map and are widened on the fly.
@Suite struct HalfPrecisionTests {
    @Test func wideningEqualsTheStandardConversionForEveryHalf() {
        let halves = (0..<65_536).map { UInt16($0) }
        var widened = [Float](repeating: 0, count: halves.count)
        halves.withUnsafeBytes { src in
            widened.withUnsafeMutableBufferPointer { HalfWidening.widen(src.baseAddress!, count: halves.count, into: $0.baseAddress!) }
        }
        var mismatches = 0
        for (h, w) in zip(halves, widened) {
            let expected = Float(Float16(bitPattern: h))
            if expected.isNaN ? !w.isNaN : expected.bitPattern != w.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // The scalar tail (a count that is not a multiple of 8) takes the same path.
        var tail = [Float](repeating: 0, count: 5)
        let some: [UInt16] = [0x3c00, 0x0001, 0xfbff, 0x7c00, 0x8000]
        some.withUnsafeBytes { src in
            tail.withUnsafeMutableBufferPointer { HalfWidening.widen(src.baseAddress!, count: 5, into: $0.baseAddress!) }
        }
        #expect(tail.map(\.bitPattern) == some.map { Float(Float16(bitPattern: $0)).bitPattern })
    }

    @Test func anFP16SetKeepsItsHeadWeightAsHalvesAndGivesTheLogitsOfItsFloatCopy() throws {
        let directory = try TemporaryDirectory("f16-engine")
        defer { directory.remove() }
        let manifest = try RandomModelSet.write(directory: directory.path, architecture: .mnistCNN, count: 2, dtype: .f16)
        let halfSet = try ModelSet.load(directory: directory.path)
        #expect(halfSet.weights[0].halves("fc.weight") != nil)
        #expect(halfSet.weights[0].halves("conv2.weight") == nil)  // small: widened at load
        // The same values, rounded to fp16, stored as F32.
        let floatWeights = try (0..<2).map { i -> ModelWeights in
            let rounded = RandomModelSet.tensors(for: .mnistCNN, seed: 1 + UInt32(i)).map { t in
                (t.name, t.shape, t.values.map { Float(Float16($0)) })
            }
            let path = directory.path + "/rounded\(i).safetensors"
            try Safetensors.encode(rounded, dtype: .f32).write(to: URL(fileURLWithPath: path))
            return try ModelWeights(path: path, architecture: .mnistCNN)
        }
        let plan = NetworkPlan(.mnistCNN)
        func ensemble(_ weights: [ModelWeights]) -> Ensemble {
            Ensemble(
                plan: plan, models: zip(weights, manifest.models).map { ModelTensors(weights: $0.0, noiseSeed: $0.1.noiseSeed, plan: plan) }
            )
        }
        let half = ensemble(halfSet.weights), float = ensemble(floatWeights)
        let images = (0..<5).map { SyntheticImages.digit(index: $0, seed: 3).pixels }
        // One workspace across both models and tiles: the widened copy must follow the model.
        let ws = half.makeWorkspace(), wsFloat = float.makeWorkspace()
        for m in [0, 1, 0] {
            var a: [Float] = [], b: [Float] = []
            half.forward(model: m, images: images.map(half.prepare)[...], scales: [0, 0.1, 0.2, 0.3, 0.4][...], workspace: ws) { _, p in
                a.append(p[0])
            }
            float.forward(model: m, images: images.map(float.prepare)[...], scales: [0, 0.1, 0.2, 0.3, 0.4][...], workspace: wsFloat) {
                _, p in b.append(p[0])
            }
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "model \(m)")
        }
        // Asked as float32 (training does), the half tensor is widened then, to the same values.
        let exact = RandomModelSet.tensors(for: .mnistCNN, seed: 1).first { $0.name == "fc.weight" }!.values
        #expect(halfSet.weights[0].values("fc.weight", count: exact.count) == exact.map { Float(Float16($0)) })
    }
}
