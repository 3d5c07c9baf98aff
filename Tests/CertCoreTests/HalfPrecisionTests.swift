import CertKernels
import CertTestSupport
import Foundation
import Testing

@testable import CertCore

/// fp16 sets: the large head weights stay halves in the map and are widened on the fly.
@Suite struct HalfPrecisionTests {
    /// Both forms (the integer form everywhere, F16C where the CPU has it) against Swift's own
    /// conversion, on all 65,536 halves and on a count with a scalar tail.
    @Test(arguments: [false, true])
    func wideningEqualsTheStandardConversionForEveryHalf(f16c: Bool) {
        if f16c && !CPUFeatures.haswellInstructions { return }
        func widen(_ halves: [UInt16]) -> [Float] {
            var out = [Float](repeating: 0, count: halves.count)
            halves.withUnsafeBytes { src in
                out.withUnsafeMutableBufferPointer {
                    if f16c {
                        HalfConversion.widenF16C(src.baseAddress!, count: halves.count, into: $0.baseAddress!)
                    } else {
                        HalfConversion.widen(src.baseAddress!, count: halves.count, into: $0.baseAddress!)
                    }
                }
            }
            return out
        }
        let halves = (0..<65_536).map { UInt16($0) }
        var mismatches = 0
        for (h, w) in zip(halves, widen(halves)) {
            let expected = Float(Float16(bitPattern: h))
            if expected.isNaN
                ? !w.isNaN || (w.bitPattern & 0x3fffff) != (expected.bitPattern & 0x3fffff) : expected.bitPattern != w.bitPattern
            {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
        let some: [UInt16] = [0x3c00, 0x0001, 0xfbff, 0x7c00, 0x8000]
        #expect(widen(some).map(\.bitPattern) == some.map { Float(Float16(bitPattern: $0)).bitPattern })
    }

    /// The head kernel reading halves equals the float kernel on the widened weights, bit for
    /// bit, in both builds and for any number of images (including a k tail: 37 features).
    @Test func theHalvesKernelEqualsTheFloatKernelOnTheWidenedWeights() {
        let inF = 37, outF = 13, t = Linear.tileWidth
        let values = TestSupport.uniform(inF * outF, seed: 8).map { Float16($0) }
        let halves = values.map(\.bitPattern), widened = values.map { Float($0) }
        let b = TestSupport.uniform(outF, seed: 9), x = TestSupport.uniform(inF * t, seed: 10)
        func run(fma: Bool, images: Int, fromHalves: Bool) -> [UInt32] {
            let saved = KernelBuild.current
            defer { KernelBuild.current = saved }
            KernelBuild.current = fma ? .avx2 : .portable
            var y = [Float](repeating: .nan, count: outF * images)
            if fromHalves {
                halves.withUnsafeBytes {
                    Linear.forward(
                        x, images: images, inFeatures: inF, outFeatures: outF, halves: $0.baseAddress!, bias: b, relu: true, output: &y)
                }
            } else {
                Linear.forward(x, images: images, inFeatures: inF, outFeatures: outF, weight: widened, bias: b, relu: true, output: &y)
            }
            return y.map(\.bitPattern)
        }
        let reference = run(fma: false, images: t, fromHalves: false)
        #expect(reference.contains { $0 != 0 })
        for fma in CPUFeatures.haswellInstructions ? [false, true] : [false] {
            for images in [1, 2, 5, t] {
                #expect(run(fma: fma, images: images, fromHalves: true) == Array(reference.prefix(images * outF)), "fma \(fma), \(images)")
            }
        }
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
        // One workspace across both models and tiles.
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
