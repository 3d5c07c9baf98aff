import CertCore

/// The MNIST CNN in float64 with direct loops: the reference the sigma gradient is checked
/// against. Shares nothing with the engine or the training layers but the weights.
struct DoubleMNIST {
    let w: (String) -> [Double]

    init(weights: ModelWeights) {
        let specs = Dictionary(uniqueKeysWithValues: Architecture.mnistCNN.parameterSpecs.map { ($0.name, $0.count) })
        w = { name in weights.values(name, count: specs[name]!).map(Double.init) }
    }

    func logit(_ x: [Double]) -> Double {
        var a = conv(x, c: 1, h: 28, w: self.w("conv1.weight"), b: self.w("conv1.bias"), out: 16)  // 16×24×24
        a = pool(a.map { max($0, 0) }, c: 16, h: 24)  // 16×12×12
        a = conv(a, c: 16, h: 12, w: self.w("conv2.weight"), b: self.w("conv2.bias"), out: 32)  // 32×8×8
        a = pool(a.map { max($0, 0) }, c: 32, h: 8)  // 32×4×4
        let fw = self.w("fc.weight"), fb = self.w("fc.bias")
        let hidden = (0..<512).map { o in max((0..<512).reduce(fb[o]) { $0 + fw[o * 512 + $1] * a[$1] }, 0) }
        let ow = self.w("output.weight")
        return (0..<512).reduce(self.w("output.bias")[0]) { $0 + ow[$1] * hidden[$1] }
    }

    private func conv(_ x: [Double], c: Int, h: Int, w k: [Double], b: [Double], out: Int) -> [Double] {
        let o = h - 4
        var y = [Double](repeating: 0, count: out * o * o)
        for f in 0..<out {
            for i in 0..<o {
                for j in 0..<o {
                    var acc = b[f]
                    for ch in 0..<c {
                        for u in 0..<5 {
                            for v in 0..<5 {
                                acc += k[((f * c + ch) * 5 + u) * 5 + v] * x[(ch * h + i + u) * h + j + v]
                            }
                        }
                    }
                    y[(f * o + i) * o + j] = acc
                }
            }
        }
        return y
    }

    private func pool(_ x: [Double], c: Int, h: Int) -> [Double] {
        let o = h / 2
        return (0..<(c * o * o)).map { idx in
            let ch = idx / (o * o), i = idx / o % o, j = idx % o
            let base = ch * h * h + 2 * i * h + 2 * j
            return max(max(x[base], x[base + 1]), max(x[base + h], x[base + h + 1]))
        }
    }
}
