import CertCore

/// A deliberately plain re-implementation of every layer: direct loops, double-precision
/// accumulation, BatchNorm unfolded, no im2col, no BLAS, no slots. The engine is checked
/// against it, so the two must share nothing but the layer list.
enum Naive {
    struct Tensor3 {
        var c: Int, h: Int, w: Int; var v: [Double]
        subscript(c: Int, y: Int, x: Int) -> Double { v[(c * h + y) * w + x] }
    }

    static func conv(_ x: Tensor3, weight: [Float], bias: [Float]?, outC: Int, k: Int, stride: Int, pad: Int) -> Tensor3 {
        let oh = (x.h + 2 * pad - k) / stride + 1, ow = (x.w + 2 * pad - k) / stride + 1
        var out = [Double](repeating: 0, count: outC * oh * ow)
        for o in 0..<outC {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var acc = Double(bias?[o] ?? 0)
                    for c in 0..<x.c {
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let iy = oy * stride - pad + ky, ix = ox * stride - pad + kx
                                guard iy >= 0, iy < x.h, ix >= 0, ix < x.w else { continue }
                                acc += Double(weight[((o * x.c + c) * k + ky) * k + kx]) * x[c, iy, ix]
                            }
                        }
                    }
                    out[(o * oh + oy) * ow + ox] = acc
                }
            }
        }
        return Tensor3(c: outC, h: oh, w: ow, v: out)
    }

    static func maxPool(_ x: Tensor3, k: Int, stride: Int, pad: Int) -> Tensor3 {
        let oh = (x.h + 2 * pad - k) / stride + 1, ow = (x.w + 2 * pad - k) / stride + 1
        var out = [Double](repeating: -.infinity, count: x.c * oh * ow)
        for c in 0..<x.c {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let iy = oy * stride - pad + ky, ix = ox * stride - pad + kx
                            if iy >= 0, iy < x.h, ix >= 0, ix < x.w {
                                out[(c * oh + oy) * ow + ox] = max(out[(c * oh + oy) * ow + ox], x[c, iy, ix])
                            }
                        }
                    }
                }
            }
        }
        return Tensor3(c: x.c, h: oh, w: ow, v: out)
    }

    static func batchNorm(_ x: Tensor3, _ p: (String) -> [Float], _ name: String) -> Tensor3 {
        let w = p("\(name).weight"), b = p("\(name).bias"), m = p("\(name).running_mean"), v = p("\(name).running_var")
        var out = x
        for c in 0..<x.c {
            for i in 0..<(x.h * x.w) {
                let idx = c * x.h * x.w + i
                out.v[idx] = (x.v[idx] - Double(m[c])) / (Double(v[c]) + 1e-5).squareRoot() * Double(w[c]) + Double(b[c])
            }
        }
        return out
    }

    /// Evaluates a layer list on one image; `p(name)` gives a parameter's values.
    static func run(_ layers: [Layer], _ input: Tensor3, _ p: (String) -> [Float]) -> [Double] {
        var x = input
        var flat: [Double]? = nil
        for layer in layers {
            switch layer {
            case let .conv(name, _, outC, k, stride, pad, bias):
                x = conv(x, weight: p("\(name).weight"), bias: bias ? p("\(name).bias") : nil, outC: outC, k: k, stride: stride, pad: pad)
            case let .batchNorm(name, _): x = batchNorm(x, p, name)
            case .relu:
                if flat != nil { flat = flat!.map { max($0, 0) } } else { x.v = x.v.map { max($0, 0) } }
            case let .maxPool(k, stride, pad): x = maxPool(x, k: k, stride: stride, pad: pad)
            case .globalAvgPool:
                let n = x.h * x.w
                x = Tensor3(c: x.c, h: 1, w: 1, v: (0..<x.c).map { c in x.v[(c * n)..<((c + 1) * n)].reduce(0, +) / Double(n) })
            case let .residual(body, shortcut):
                let a = run(body, x, p)
                let b = shortcut.isEmpty ? x.v : run(shortcut, x, p)
                let probe = runShape(body, x, p)
                x = Tensor3(c: probe.c, h: probe.h, w: probe.w, v: zip(a, b).map(+))
            case .flatten: flat = x.v
            case let .linear(name, inF, outF):
                let w = p("\(name).weight"), b = p("\(name).bias"), v = flat!
                flat = (0..<outF).map { o in (0..<inF).reduce(Double(b[o])) { $0 + Double(w[o * inF + $1]) * v[$1] } }
            }
        }
        return flat ?? x.v
    }

    /// Output shape of a layer list (for residual branches).
    static func runShape(_ layers: [Layer], _ x: Tensor3, _ p: (String) -> [Float]) -> Tensor3 {
        var s = Tensor3(c: x.c, h: x.h, w: x.w, v: [])
        for layer in layers {
            switch layer {
            case let .conv(_, _, outC, k, stride, pad, _):
                s = Tensor3(c: outC, h: (s.h + 2 * pad - k) / stride + 1, w: (s.w + 2 * pad - k) / stride + 1, v: [])
            case let .maxPool(k, stride, pad):
                s = Tensor3(c: s.c, h: (s.h + 2 * pad - k) / stride + 1, w: (s.w + 2 * pad - k) / stride + 1, v: [])
            case .globalAvgPool: s = Tensor3(c: s.c, h: 1, w: 1, v: [])
            case let .residual(body, _): s = runShape(body, s, p)
            default: break
            }
        }
        return s
    }
}
