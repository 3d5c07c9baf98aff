import CertCore
import CertShape
import CertTestSupport
import Foundation

enum TestSupport {
    /// A seeded stream of floats in [lo, hi) from the project's own Philox (independent of what is tested with it).
    static func uniform(_ n: Int, seed: UInt32, lo: Float = -1, hi: Float = 1) -> [Float] {
        let p = Philox4x32(key0: seed, key1: 7)
        return (0..<n).map { i in
            let w = p.block((UInt32(i), 0, 0, 0)).0
            return lo + (hi - lo) * Float(Double(w) / 4_294_967_296.0)
        }
    }

    /// An ensemble of `count` random models of `architecture`, loaded through the real
    /// safetensors path, optionally on a smaller input than the architecture's own.
    static func ensemble(_ architecture: Architecture, count: Int = 1, inputShape: ImageShape? = nil, seed: UInt32 = 11) throws -> (
        Ensemble, [[(name: String, shape: [Int], values: [Float])]]
    ) {
        let directory = try TemporaryDirectory("ensemble")
        defer { directory.remove() }
        let dir = directory.path
        let manifest = try RandomModelSet.write(directory: dir, architecture: architecture, count: count, seed: seed)
        let set = try ModelSet.load(directory: dir)
        let plan = NetworkPlan(architecture, inputShape: inputShape)
        let models = zip(set.weights, manifest.models).map { ModelTensors(weights: $0.0, noiseSeed: $0.1.noiseSeed, plan: plan) }
        let tensors = (0..<count).map { RandomModelSet.tensors(for: architecture, seed: seed &+ UInt32($0)) }
        return (Ensemble(plan: plan, models: models), tensors)
    }

    static func lookup(_ tensors: [(name: String, shape: [Int], values: [Float])]) -> (String) -> [Float] {
        let table = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.values) })
        return { table[$0]! }
    }

    static func logits(_ e: Ensemble, model: Int = 0, images: [[Float]], scales: [Float]) -> [[Float]] {
        let ws = e.makeWorkspace()
        let prepared = images.map(e.prepare)
        var out = [[Float]](repeating: [], count: images.count)
        e.forward(model: model, images: prepared[...], scales: scales[...], workspace: ws) { t, p in
            out[t] = Array(UnsafeBufferPointer(start: p, count: e.outputs))
        }
        return out
    }

    static func maxRelativeError(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
    }
}
