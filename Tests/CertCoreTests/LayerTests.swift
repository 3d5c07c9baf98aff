import Testing

@testable import CertCore

@Suite struct LayerTests {
    @Test(arguments: [
        // (inC, outC, k, stride, pad, h, w)
        (1, 16, 5, 1, 0, 28, 28), (3, 8, 3, 1, 1, 11, 9), (4, 6, 3, 2, 1, 13, 10),
        (5, 7, 1, 1, 0, 6, 7), (3, 4, 1, 2, 0, 9, 9), (2, 3, 7, 2, 3, 17, 15), (6, 5, 4, 3, 2, 12, 14),
    ])
    func convolutionMatchesDirectLoops(_ c: (Int, Int, Int, Int, Int, Int, Int)) {
        let g = ConvGeometry(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4, inHeight: c.5, inWidth: c.6)
        let x = TestSupport.uniform(g.inputCount, seed: 1), w = TestSupport.uniform(g.weightCount, seed: 2),
            b = TestSupport.uniform(g.outChannels, seed: 3)
        var out = [Float](repeating: .nan, count: g.outputCount)
        var scratch = [Float](repeating: .nan, count: g.patchSize * g.outPixels)
        Conv2d.forward(x, g, weight: w, bias: b, scratch: &scratch, output: &out)
        let ref = Naive.conv(
            Naive.Tensor3(c: g.inChannels, h: g.inHeight, w: g.inWidth, v: x.map(Double.init)),
            weight: w, bias: b, outC: g.outChannels, k: g.kernel, stride: g.stride, pad: g.padding)
        #expect(ref.h == g.outHeight && ref.w == g.outWidth)
        #expect(TestSupport.maxRelativeError(out, ref.v) < 1e-5)
    }

    /// The convolution kernel in every build this CPU runs gives the same bits (one fused
    /// multiply-add chain per output, whatever the lanes), within 1e-5 of float64 dot products;
    /// shapes with channel, vector and pixel remainders, and MNIST's two.
    @Test(arguments: [
        (7, 13, 37), (16, 25, 576), (32, 400, 64), (5, 3, 100), (4, 9, 8), (1, 2, 3), (8, 20, 133), (6, 7, 64), (4, 3, 37), (32, 40, 64),
        (14, 9, 69),
    ])
    func convolutionKernelGivesTheSameBitsInEveryBuild(_ shape: (channels: Int, depth: Int, pixels: Int)) {
        let (c, k, p) = shape
        let w = TestSupport.uniform(c * k, seed: 21), x = TestSupport.uniform(k * p, seed: 22)
        func run(_ build: KernelBuild) -> [Float] {
            let saved = KernelBuild.current
            defer { KernelBuild.current = saved }
            KernelBuild.current = build
            var y = [Float](repeating: .nan, count: c * p)
            Conv2d.product(weight: w, columns: x, output: &y, channels: c, depth: k, pixels: p)
            return y
        }
        let portable = run(.portable)
        for ch in 0..<c {
            for px in 0..<p {
                let ref = (0..<k).reduce(0.0) { $0 + Double(w[ch * k + $1]) * Double(x[$1 * p + px]) }
                #expect(abs(Double(portable[ch * p + px]) - ref) < 1e-5 * max(1, abs(ref)))
            }
        }
        #expect(KernelBuild.available.first == .portable)
        for build in KernelBuild.available.dropFirst() {
            #expect(run(build).map(\.bitPattern) == portable.map(\.bitPattern), "\(build)")
        }
    }

    /// The steps around the products (the bias pass with the stem's noise, ReLU, 2×2 pooling,
    /// the unpadded im2col) give the same bits in every build this CPU runs.
    @Test(arguments: [(16, 24, 24), (32, 8, 8), (3, 9, 7), (5, 6, 13)])
    func epilogueAndIm2colGiveTheSameBitsInEveryBuild(_ shape: (channels: Int, height: Int, width: Int)) {
        let (c, h, w) = shape
        let product = TestSupport.uniform(c * h * w, seed: 31).map { $0 - 0.5 }
        let noise = TestSupport.uniform(c * h * w, seed: 32), bias = TestSupport.uniform(c, seed: 33).map { $0 - 0.5 }
        let g = ConvGeometry(inChannels: c, outChannels: 1, kernel: 3, inHeight: h, inWidth: w)
        func run(_ build: KernelBuild) -> [[UInt32]] {
            let saved = KernelBuild.current
            defer { KernelBuild.current = saved }
            KernelBuild.current = build
            var outputs: [[UInt32]] = []
            for (epilogue, withNoise) in [(ConvEpilogue(relu: true, pool: true), true), (ConvEpilogue(relu: false, pool: false), false)] {
                var p = product
                var out = [Float](repeating: .nan, count: epilogue.pool ? c * (h / 2) * (w / 2) : c * h * w)
                noise.withUnsafeBufferPointer { n in
                    Conv2d.applyEpilogue(
                        epilogue, product: &p, channels: c, height: h, width: w, bias: bias, noise: withNoise ? n.baseAddress : nil,
                        scale: 0.37, output: &out)
                }
                outputs.append(out.map(\.bitPattern))
            }
            var cols = [Float](repeating: .nan, count: g.patchSize * g.outPixels)
            Conv2d.im2col(product, g, into: &cols)
            outputs.append(cols.map(\.bitPattern))
            return outputs
        }
        let portable = run(.portable)
        // The portable build against the formulas written out.
        let (oh, ow) = (h / 2, w / 2)
        for ch in 0..<c {
            for y in 0..<oh {
                for x in 0..<ow {
                    let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { dy, dx in
                        let i = ch * h * w + (2 * y + dy) * w + 2 * x + dx
                        return max(product[i] + (0.37 * noise[i] + bias[ch]), 0)
                    }
                    #expect(portable[0][ch * oh * ow + y * ow + x] == window.max()!.bitPattern)
                }
            }
        }
        #expect(portable[1] == (0..<(c * h * w)).map { (product[$0] + bias[$0 / (h * w)]).bitPattern })
        for build in KernelBuild.available.dropFirst() { #expect(run(build) == portable, "\(build)") }
    }

    @Test(arguments: [(2, 2, 0, 8, 8), (3, 2, 1, 9, 7), (3, 1, 1, 5, 6), (2, 2, 0, 7, 7)])
    func maxPoolMatchesDirectLoops(_ c: (Int, Int, Int, Int, Int)) {
        let g = PoolGeometry(channels: 3, inHeight: c.3, inWidth: c.4, kernel: c.0, stride: c.1, padding: c.2)
        let x = TestSupport.uniform(3 * c.3 * c.4, seed: 5)
        var out = [Float](repeating: .nan, count: 3 * g.outHeight * g.outWidth)
        Pooling.maxPool(x, g, output: &out)
        let ref = Naive.maxPool(Naive.Tensor3(c: 3, h: c.3, w: c.4, v: x.map(Double.init)), k: c.0, stride: c.1, pad: c.2)
        #expect(out.map(Double.init) == ref.v)
    }

    /// The head kernel's documented order for every (row, image) pair, written out in scalar
    /// Swift: eight lanes of fused multiply-adds over k in steps of 8, the lanes summed
    /// pairwise, the k tail by scalar fused multiply-adds. Every build, every row grouping
    /// (far-row blocks of four, leftover rows) and any image count give exactly these bits.
    @Test(arguments: [(37, 13), (512, 4), (16, 1), (24, 3), (40, 17)])
    func linearFollowsItsDocumentedOrderBitForBit(_ shape: (Int, Int)) {
        let (inF, outF) = shape
        let w = TestSupport.uniform(inF * outF, seed: 11), x = TestSupport.uniform(inF * 3, seed: 12)
        let vectorEnd = inF - inF % 8
        func reference(_ o: Int, _ t: Int) -> Float {
            var lanes = [Float](repeating: 0, count: 8)
            for k in stride(from: 0, to: vectorEnd, by: 8) {
                for j in 0..<8 { lanes[j].addProduct(w[o * inF + k + j], x[t * inF + k + j]) }
            }
            let four = (0..<4).map { lanes[$0] + lanes[$0 + 4] }
            var s = (four[0] + four[2]) + (four[1] + four[3])
            for k in vectorEnd..<inF { s.addProduct(w[o * inF + k], x[t * inF + k]) }
            return s
        }
        let want = (0..<3).flatMap { t in (0..<outF).map { reference($0, t).bitPattern } }
        for build in KernelBuild.available {
            let saved = KernelBuild.current
            defer { KernelBuild.current = saved }
            KernelBuild.current = build
            for images in 1...3 {
                var y = [Float](repeating: .nan, count: outF * images)
                Linear.forward(x, images: images, inFeatures: inF, outFeatures: outF, weight: w, bias: nil, output: &y)
                #expect(y.map(\.bitPattern) == Array(want.prefix(images * outF)), "\(build), \(images) images, \(inF)x\(outF)")
            }
        }
    }

    @Test func linearMatchesDotProductsInBothBuildsBitForBit() {
        let inF = 37, outF = 13, t = Linear.tileWidth
        let w = TestSupport.uniform(inF * outF, seed: 8), b = TestSupport.uniform(outF, seed: 9)
        let x = TestSupport.uniform(inF * t, seed: 10)  // image-major: x[t*in + f]
        func run(fma: Bool, images: Int, relu: Bool) -> [Float] {
            let saved = KernelBuild.current
            defer { KernelBuild.current = saved }
            KernelBuild.current = fma ? .avx2 : .portable
            var y = [Float](repeating: .nan, count: outF * images)
            Linear.forward(x, images: images, inFeatures: inF, outFeatures: outF, weight: w, bias: b, relu: relu, output: &y)
            return y
        }
        let portable = run(fma: false, images: t, relu: false)
        for image in 0..<t {
            for o in 0..<outF {
                let ref = (0..<inF).reduce(Double(b[o])) { $0 + Double(w[o * inF + $1]) * Double(x[image * inF + $1]) }
                #expect(abs(Double(portable[image * outF + o]) - ref) < 1e-5)
            }
        }
        // The AVX2 + FMA build gives the same bits, and so does any number of images.
        if CPUFeatures.haswellInstructions {
            #expect(run(fma: true, images: t, relu: false).map(\.bitPattern) == portable.map(\.bitPattern))
        }
        // An image alone or an odd last one runs a row at a time, pairs the 4 × 2 block: the same bits.
        for images in [1, 2, 3, 7] {
            let want = Array(portable.prefix(images * outF)).map(\.bitPattern)
            #expect(run(fma: false, images: images, relu: false).map(\.bitPattern) == want)
            if CPUFeatures.haswellInstructions { #expect(run(fma: true, images: images, relu: false).map(\.bitPattern) == want) }
        }
        #expect(run(fma: false, images: t, relu: true) == portable.map { max($0, 0) })
    }

    @Test func batchNormFoldsToTheUnfoldedFormula() {
        let w: [Float] = [1.5, -0.5], b: [Float] = [0.1, 0.2], m: [Float] = [0.3, -1], v: [Float] = [4, 0.25]
        let (scale, shift) = Elementwise.foldBatchNorm(weight: w, bias: b, mean: m, variance: v, channels: 2)
        var x: [Float] = [1, 2, 3, 4]
        Elementwise.scaleShift(&x, scale: scale, shift: shift, channels: 2, pixels: 2, relu: false)
        func bn(_ x: Double, _ c: Int) -> Double {
            (x - Double(m[c])) / (Double(v[c]) + 1e-5).squareRoot() * Double(w[c]) + Double(b[c])
        }
        let expected: [Double] = [bn(1, 0), bn(2, 0), bn(3, 1), bn(4, 1)]
        for (a, e) in zip(x, expected) { #expect(abs(Double(a) - e) < 1e-5) }
    }

    @Test func sigmoidIsStableAtTheExtremes() {
        #expect(Elementwise.sigmoid(0) == 0.5)
        #expect(Elementwise.sigmoid(-800) >= 0 && Elementwise.sigmoid(-800) < 1e-300)
        #expect(Elementwise.sigmoid(800) == 1)
        #expect(abs(Elementwise.sigmoid(2) - 1 / (1 + 0.1353352832366127)) < 1e-15)
    }
}

@Suite struct PoolingNaNTests {
    /// A NaN anywhere in a window makes that window's maximum NaN (so a broken model's output
    /// is caught as non-finite), in the vector steps and in the scalar tail alike.
    @Test(arguments: [0, 1, 24, 25, 6, 31, 34, 35, 36, 37, 70, 71])
    func aNaNInAWindowGivesNaN(_ position: Int) {
        // 18 outputs per row: four vector steps, then two in the scalar tail.
        let g = PoolGeometry(channels: 1, inHeight: 2, inWidth: 36, kernel: 2, stride: 2)
        var x = (0..<72).map { Float($0 % 7) - 3 }
        x[position] = .nan
        var out = [Float](repeating: 0, count: 18)
        Pooling.maxPool(x, g, output: &out)
        let window = (position % 36) / 2
        for (i, v) in out.enumerated() { #expect(v.isNaN == (i == window), "output \(i) = \(v)") }
    }
}
