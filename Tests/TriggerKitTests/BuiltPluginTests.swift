import CertShape
import Testing
import TriggerKit

@Suite struct BuiltPluginTests {
    @Test func threePluginsLoadFromTheBuildFolderWithoutRefusals() throws {
        let registry = BuiltPlugins.registry
        #expect(registry.refusals.isEmpty, "\(registry.refusals)")
        #expect(registry.plugins.map(\.name) == ["blending", "fourpixel", "onepixel"])
        for plugin in registry.plugins {
            for shape in ImageShape.paperTasks { #expect(plugin.supports(shape: shape), "\(plugin.name) \(shape)") }
            #expect(plugin.path.hasPrefix(TestPaths.buildFolder))
            #expect(!plugin.description.isEmpty && plugin.version == "1.0.0")
        }
    }

    /// Changed [channel,row,col] pixels and their common value on a black image, d = 1.
    struct TableCase: Sendable, CustomStringConvertible {
        var name: String, channels: Int, side: Int, pixels: [[Int]], value: Float
        var description: String { "\(name) \(channels)x\(side)x\(side)" }
    }

    static let tableCases: [TableCase] = {
        let third = Float(1 / 3.0.squareRoot()), twelfth = Float(1 / 12.0.squareRoot())
        func everyChannel(_ pixels: [[Int]]) -> [[Int]] { (0..<3).flatMap { c in pixels.map { [c] + $0 } } }
        return [
            TableCase(name: "onepixel", channels: 1, side: 28, pixels: [[0, 23, 23]], value: 1),
            TableCase(name: "onepixel", channels: 3, side: 32, pixels: everyChannel([[15, 15]]), value: third),
            TableCase(name: "onepixel", channels: 3, side: 224, pixels: everyChannel([[112, 112]]), value: third),
            TableCase(
                name: "fourpixel", channels: 1, side: 28, pixels: [[0, 18, 20], [0, 19, 19], [0, 20, 18], [0, 20, 20]], value: 0.5),
            TableCase(
                name: "fourpixel", channels: 3, side: 32, pixels: everyChannel([[14, 16], [15, 15], [16, 14], [16, 16]]), value: twelfth),
            TableCase(
                name: "fourpixel", channels: 3, side: 224, pixels: everyChannel([[111, 113], [112, 112], [113, 111], [113, 113]]),
                value: twelfth),
        ]
    }()

    @Test(arguments: tableCases)
    func pixelTriggersMatchTheDesignTable(_ test: TableCase) throws {
        let plugin = try BuiltPlugins.plugin(test.name)
        let (c, side) = (test.channels, test.side)
        let black = [Float](repeating: 0, count: c * side * side)
        let change = try plugin.perturbation(of: black, shape: ImageShape(channels: c, height: side, width: side), delta: 1)
        let changed = change.indices.filter { change[$0] != 0 }
        #expect(changed == test.pixels.map { ($0[0] * side + $0[1]) * side + $0[2] }.sorted())
        #expect(changed.allSatisfy { change[$0] == test.value })
        #expect(abs(try plugin.l2Norm(of: black, shape: ImageShape(channels: c, height: side, width: side), delta: 1) - 1) < 1e-6)
    }

    @Test func pixelTriggersClipAtOneButNeverBelowZero() throws {
        for name in ["onepixel", "fourpixel"] {
            let plugin = try BuiltPlugins.plugin(name)
            var image = [Float](repeating: 0.9, count: 3 * 32 * 32)
            try plugin.apply(to: &image, shape: ImageShape(channels: 3, height: 32, width: 32), delta: 5)
            #expect(image.max() == 1)
            #expect(image.filter { $0 == 1 }.count == (name == "onepixel" ? 3 : 12))
            // A negative image stays negative elsewhere: no lower clip.
            var negative = [Float](repeating: -0.5, count: 784)
            try plugin.apply(to: &negative, shape: ImageShape(channels: 1, height: 28, width: 28), delta: 0.1)
            #expect(negative.min() == -0.5)
        }
    }

    @Test func otherShapesFollowTheScalingRuleAndTinyShapesAreRefused() throws {
        let onepixel = try BuiltPlugins.plugin("onepixel")
        // 100 is nearer 224 than 32 on a log scale: (112*100/224, 112*64/224) = (50, 32).
        let change = try onepixel.perturbation(
            of: [Float](repeating: 0, count: 2 * 100 * 64), shape: ImageShape(channels: 2, height: 100, width: 64), delta: 1)
        #expect(change.indices.filter { change[$0] != 0 } == [50 * 64 + 32, 6400 + 50 * 64 + 32])
        #expect(change.filter { $0 != 0 }.allSatisfy { $0 == Float(1 / 2.0.squareRoot()) })
        for name in ["onepixel", "fourpixel"] {
            let plugin = try BuiltPlugins.plugin(name)
            #expect(plugin.supports(shape: ImageShape(channels: 3, height: 3, width: 3)))
            #expect(!plugin.supports(shape: ImageShape(channels: 3, height: 2, width: 32)))
            #expect(!plugin.supports(shape: ImageShape(channels: 0, height: 28, width: 28)))
            var tiny = [Float](repeating: 0, count: 4)
            #expect(throws: TriggerError.self) {
                try plugin.apply(to: &tiny, shape: ImageShape(channels: 1, height: 2, width: 2), delta: 1)
            }
        }
        let blending = try BuiltPlugins.plugin("blending")
        #expect(
            blending.supports(shape: ImageShape(channels: 1, height: 1, width: 1))
                && !blending.supports(shape: ImageShape(channels: 0, height: 5, width: 5)))
        #expect(
            !blending.supports(shape: ImageShape(channels: 65536, height: 65536, width: 65536)),
            "a pixel count past Int32 is refused, not overflowed")
    }

    @Test func aWrongPixelCountIsRefusedByTheHost() throws {
        var image = [Float](repeating: 0, count: 10)
        let error = #expect(throws: TriggerError.self) {
            try BuiltPlugins.plugin("blending").apply(to: &image, shape: ImageShape(channels: 1, height: 28, width: 28), delta: 1)
        }
        #expect(error?.plugin == "blending")
        #expect(error?.description.contains("1x28x28") == true)
    }
}
