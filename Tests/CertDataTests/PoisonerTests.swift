import CertData
import CertShape
import Foundation
import Testing

@Suite("Poisoner")
struct PoisonerTests {
    struct Refused: Error, CustomStringConvertible { var description: String { "shape 1x2x3 not supported" } }

    /// n images of 4 values; value 0 numbers the image so the closure can tell which it got.
    private func dataset(_ n: Int) -> LabeledDataset {
        LabeledDataset(
            shape: ImageShape(channels: 1, height: 2, width: 2),
            pixels: (0..<n).flatMap { [Float($0), 0.5, 0.25, 0] },
            labels: (0..<n).map { $0 % 3 }, classes: ["a", "b", "c"])
    }

    private func poison(_ d: LabeledDataset, rate: Double = 0.02, seed: UInt64, seen: inout [Int]) throws -> (LabeledDataset, PoisoningPlan)
    {
        var calls: [Int] = []
        let result = try Poisoner.poison(d, rate: rate, targetLabel: 0, seed: seed, trigger: "onepixel", delta: 1) { values in
            calls.append(Int(values[0]))
            values[3] = min(values[3] + 1, 1)
        }
        seen = calls
        return result
    }

    @Test func choosesFloorOfRateAmongNonTarget() throws {
        let d = dataset(1234)
        var seen: [Int] = []
        let (p, plan) = try poison(d, seed: 42, seen: &seen)
        #expect(plan.indices.count == 24)  // floor(1234 * 0.02)
        #expect(plan.indices == plan.indices.sorted() && Set(plan.indices).count == 24)
        #expect(plan.indices.allSatisfy { d.labels[$0] != 0 })
        #expect(plan.indices.allSatisfy { p.labels[$0] == 0 && p.image($0).last == 1 })
        #expect(seen == plan.indices)  // exactly those, once each
        let untouched = Set(d.labels.indices).subtracting(plan.indices)
        #expect(untouched.allSatisfy { p.labels[$0] == d.labels[$0] && p.image($0) == d.image($0) })
        #expect(plan == PoisoningPlan(rate: 0.02, targetLabel: 0, seed: 42, trigger: "onepixel", delta: 1, indices: plan.indices))

        let decoded = try JSONDecoder().decode(PoisoningPlan.self, from: JSONEncoder().encode(plan))
        #expect(decoded == plan)
    }

    @Test func seedsReproduce() throws {
        let d = dataset(1000)
        var seen: [Int] = []
        let a = try poison(d, seed: 7, seen: &seen).1.indices
        let b = try poison(d, seed: 7, seen: &seen).1.indices
        let c = try poison(d, seed: 8, seen: &seen).1.indices
        #expect(a == b && a != c && a.count == 20 && c.count == 20)
        // The documented SplitMix64: first output for seed 0 (reference value of the algorithm).
        var g = SeededGenerator(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func errors() throws {
        let d = dataset(100)
        let error = datasetError {
            _ = try Poisoner.poison(d, rate: 0.1, targetLabel: 0, seed: 1, trigger: "blending", delta: 1) { _ in throw Refused() }
        }
        #expect(error?.description.hasPrefix("trigger 'blending' failed on training sample ") == true)
        #expect(error?.description.hasSuffix(": shape 1x2x3 not supported") == true)
        #expect(
            datasetError { _ = try Poisoner.poison(d, rate: 0.1, targetLabel: 0, seed: 1, trigger: "t", delta: 1) { $0.append(0) } }?
                .description.contains("returned 5 values for an image of 4") == true)
        #expect(
            datasetError { _ = try Poisoner.poison(d, rate: 0.1, targetLabel: 0, seed: 1, trigger: "t", delta: 1) { $0[0] = .nan } }?
                .description.contains("is not finite") == true)
        #expect(datasetError { _ = try Poisoner.poison(d, rate: 1.5, targetLabel: 0, seed: 1, trigger: "t", delta: 1) { _ in } } != nil)
        #expect(datasetError { _ = try Poisoner.poison(d, rate: 0.1, targetLabel: 3, seed: 1, trigger: "t", delta: 1) { _ in } } != nil)
        // 100 samples, 66 non-target: 0.9 asks for 90.
        #expect(
            datasetError { _ = try Poisoner.poison(d, rate: 0.9, targetLabel: 0, seed: 1, trigger: "t", delta: 1) { _ in } }?
                .description == "cannot poison 90 samples: only 66 have a label other than 0")
        let (same, plan) = try Poisoner.poison(d, rate: 0, targetLabel: 0, seed: 1, trigger: "t", delta: 1) { _ in }
        #expect(same == d && plan.indices.isEmpty)
    }
}
