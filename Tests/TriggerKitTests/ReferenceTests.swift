import CertShape
import Foundation
import Glibc
import Testing
import TriggerKit

/// Against ../shared/data/trigger-reference.json (made with numpy).
@Suite(.enabled(if: TestPaths.hasReference, "needs ../shared/data/trigger-reference.json (absent here)"))
struct ReferenceTests {
    @Test(arguments: ["mnist", "cifar", "imagenet"])
    func blendingPatternMatchesNumpy(task: String) throws {
        let reference = Reference.entry("blending_\(task)")
        let shape = Reference.ints(reference, "shape")
        try #require(shape.count == 3)
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let pattern = try BuiltPlugins.plugin("blending")
            .perturbation(of: [Float](repeating: 0, count: c * h * w), shape: ImageShape(channels: c, height: h, width: w), delta: 1)

        func close(_ mine: ArraySlice<Float>, _ theirs: [Double]) -> Bool {
            mine.count == theirs.count && zip(mine, theirs).allSatisfy { abs(Double($0) - $1) <= 1e-7 }
        }
        #expect(close(pattern.prefix(8), Reference.doubles(reference, "pattern_first8")))
        #expect(close(pattern.suffix(4), Reference.doubles(reference, "pattern_last4")))
        let full = Reference.doubles(reference, "pattern")
        if !full.isEmpty { #expect(close(pattern[...], full)) }
        let sum = pattern.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - (reference["pattern_sum"] as! NSNumber).doubleValue) < 1e-6)
        let norm = pattern.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) < 1e-6)
    }

    /// The raw draw's float32 norm, bit for bit, through the blending plugin's diagnostic symbol.
    @Test(arguments: ["mnist", "cifar", "imagenet"])
    func rawNormMatchesTheFloat32Reference(task: String) throws {
        let reference = Reference.entry("blending_\(task)")
        let shape = Reference.ints(reference, "shape").map(UInt32.init)
        let path = try BuiltPlugins.plugin("blending").path
        // Already loaded by the registry: this only takes another reference to it.
        let handle = try #require(dlopen(path, RTLD_NOW | RTLD_LOCAL))
        let symbol = try #require(dlsym(handle, "certssb_blending_raw_norm"))
        typealias RawNorm = @convention(c) (UInt32, UInt32, UInt32) -> Float
        let norm = unsafeBitCast(symbol, to: RawNorm.self)(shape[0], shape[1], shape[2])
        #expect(norm == Float((reference["raw_norm_float32"] as! NSNumber).doubleValue))
    }

    @Test(
        .enabled(if: TestPaths.hasMNIST, "needs ../shared/data/mnist_5k.csv.gz (absent here)"),
        arguments: ["onepixel", "fourpixel"])
    func mnistRow500(name: String) throws {
        let (pixels, label) = try Reference.mnistRow(500)
        #expect(label == (Reference.json["mnist_row500_label"] as! NSNumber).intValue)
        let expected = Reference.entry("mnist_row500_\(name)")
        let plugin = try BuiltPlugins.plugin(name)
        var triggered = pixels
        try plugin.apply(to: &triggered, shape: ImageShape(channels: 1, height: 28, width: 28), delta: 1)
        let changed = triggered.indices.filter { triggered[$0] != pixels[$0] }
        #expect(changed == Reference.ints(expected, "changed_flat_indices"))
        #expect(changed.map { Double(triggered[$0]) } == Reference.doubles(expected, "values_after"))
        let l2 = try plugin.l2Norm(of: pixels, shape: ImageShape(channels: 1, height: 28, width: 28), delta: 1)
        #expect(abs(l2 - (expected["actual_l2"] as! NSNumber).doubleValue) < 1e-9)
    }
}
