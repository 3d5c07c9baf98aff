/// A convolution's product, Y = W·X (W row-major [channels × k], X the im2col matrix
/// row-major [k × pixels], Y row-major [channels × pixels]), in a fixed order of operations:
/// every output is one fused multiply-add chain over k in order, Y[c][p] = fma(W[c][k],
/// X[k][p], ·) from k = 0, in one vector lane or one scalar. Which lane, which tile, which
/// vector width and which instruction set compute it changes nothing, so an image's
/// activations are the same bits alone or in a batch, in the AVX-512, AVX2 and portable builds,
/// and under every OpenBLAS kernel (OpenBLAS no longer runs here).
///
/// Three builds of one generic body (`product`): `productAVX2` in this module (Haswell's
/// instruction set), `CertKernelsAVX512.ConvKernelAVX512.product` (16 lanes, the module built
/// for Skylake-AVX512), and the portable one emitted into the caller for the baseline x86-64
/// (each lane's fused multiply-add a libm call: correct everywhere, slow). `CertCore.Kernels`
/// picks one by the CPU's flags.
///
/// Why not OpenBLAS: it packs both matrices on every call (10% of a forward pass for these
/// small shapes), and its arithmetic order is its kernel's; this one reads W and X in place,
/// as fast as OpenBLAS on MNIST's conv2 and faster on conv1 in AVX2, twice that in AVX-512
/// (measured with `certssb bench`).
public enum ConvKernel {
    /// Y = W·X for `channels` × `pixels` outputs, vectors of `V` over pixels: tiles of 4
    /// channels × 3 vectors (12 accumulators), then 4 × 1, then single channels, then the
    /// scalar pixel tail. Where a row's vectors divide by 4 and not by 3 (MNIST's conv2: 64
    /// pixels), other tiles, so no row ends in 4 × 1 tiles, whose four accumulator chains are
    /// too few to hide the FMA latency: with 8 lanes 6 channels × 2 vectors (AVX2 has 16
    /// registers: 12 accumulators, 2 pixel vectors, a broadcast) and 2 × 4 for two channels
    /// left over; with 16 lanes 4 × 4 (AVX-512 has 32). Measured with `certssb bench`'s
    /// `forward_gflops_1_thread` on a Zen 4 EPYC: AVX2 77.5 → 82.4 (2 × 4) → 86.1 (6 × 2)
    /// GFLOP/s; AVX-512 88 either way. Every output is still one chain over k in order.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func product<V: SIMD>(
        _ v: V.Type, weight w: UnsafePointer<Float>, columns x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
        channels: Int, depth: Int, pixels: Int
    ) where V.Scalar == Float {
        let lanes = V.scalarCount
        let vectorEnd = pixels - pixels % lanes
        let vectors = vectorEnd / lanes
        let fourWide = vectors % 4 == 0 && vectors % 3 != 0
        var c = 0
        if lanes < 16 && fourWide {
            while c + 6 <= channels {
                var p = 0
                while p + 2 * lanes <= vectorEnd {
                    tile6x2(V.self, w, x, y, c, p, depth, pixels)
                    p += 2 * lanes
                }
                c += 6
            }
            while c + 2 <= channels && c + 4 > channels {
                var p = 0
                while p + 4 * lanes <= vectorEnd {
                    tile2x4(V.self, w, x, y, c, p, depth, pixels)
                    p += 4 * lanes
                }
                c += 2
            }
        }
        while c + 4 <= channels {
            var p = 0
            while fourWide && p + 4 * lanes <= vectorEnd {
                if lanes >= 16 {
                    tile4x4(V.self, w, x, y, c, p, depth, pixels)
                } else {
                    tile2x4(V.self, w, x, y, c, p, depth, pixels)
                    tile2x4(V.self, w, x, y, c + 2, p, depth, pixels)
                }
                p += 4 * lanes
            }
            while p + 3 * lanes <= vectorEnd {
                tile4x3(V.self, w, x, y, c, p, depth, pixels)
                p += 3 * lanes
            }
            while p < vectorEnd {
                tile4x1(V.self, w, x, y, c, p, depth, pixels)
                p += lanes
            }
            c += 4
        }
        while c < channels {
            var p = 0
            while p < vectorEnd {
                var a = V()
                for k in 0..<depth { a.addProduct(V(repeating: w[c * depth + k]), load(V.self, x, k * pixels + p)) }
                store(a, y, c * pixels + p)
                p += lanes
            }
            c += 1
        }
        // The pixel tail of every channel, one scalar chain each: the same operations as a lane.
        for c in 0..<channels {
            for p in vectorEnd..<pixels {
                var s: Float = 0
                for k in 0..<depth { s.addProduct(w[c * depth + k], x[k * pixels + p]) }
                y[c * pixels + p] = s
            }
        }
    }

    @_alwaysEmitIntoClient
    @inline(__always)
    static func load<V: SIMD>(_ v: V.Type, _ base: UnsafePointer<Float>, _ index: Int) -> V where V.Scalar == Float {
        UnsafeRawPointer(base + index).loadUnaligned(as: V.self)
    }

    @_alwaysEmitIntoClient
    @inline(__always)
    static func store<V: SIMD>(_ value: V, _ base: UnsafeMutablePointer<Float>, _ index: Int) where V.Scalar == Float {
        UnsafeMutableRawPointer(base + index).storeBytes(of: value, as: V.self)
    }

    /// Channels c..<c+4 × pixels p..<p+3·lanes, twelve accumulators in registers.
    @_alwaysEmitIntoClient
    @inline(__always)
    static func tile4x3<V: SIMD>(
        _ v: V.Type, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        _ c: Int, _ p: Int, _ depth: Int, _ pixels: Int
    ) where V.Scalar == Float {
        let n = V.scalarCount
        var a0 = V(), a1 = V(), a2 = V(), b0 = V(), b1 = V(), b2 = V()
        var c0 = V(), c1 = V(), c2 = V(), d0 = V(), d1 = V(), d2 = V()
        let w0 = w + c * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth
        var row = x + p
        for k in 0..<depth {
            let x0 = load(V.self, row, 0), x1 = load(V.self, row, n), x2 = load(V.self, row, 2 * n)
            var s = V(repeating: w0[k])
            a0.addProduct(s, x0); a1.addProduct(s, x1); a2.addProduct(s, x2)
            s = V(repeating: w1[k])
            b0.addProduct(s, x0); b1.addProduct(s, x1); b2.addProduct(s, x2)
            s = V(repeating: w2[k])
            c0.addProduct(s, x0); c1.addProduct(s, x1); c2.addProduct(s, x2)
            s = V(repeating: w3[k])
            d0.addProduct(s, x0); d1.addProduct(s, x1); d2.addProduct(s, x2)
            row += pixels
        }
        let o = c * pixels + p
        store(a0, y, o); store(a1, y, o + n); store(a2, y, o + 2 * n)
        store(b0, y, o + pixels); store(b1, y, o + pixels + n); store(b2, y, o + pixels + 2 * n)
        store(c0, y, o + 2 * pixels); store(c1, y, o + 2 * pixels + n); store(c2, y, o + 2 * pixels + 2 * n)
        store(d0, y, o + 3 * pixels); store(d1, y, o + 3 * pixels + n); store(d2, y, o + 3 * pixels + 2 * n)
    }

    /// Channels c..<c+6 × pixels p..<p+2·lanes, twelve accumulators in registers.
    @_alwaysEmitIntoClient
    @inline(__always)
    static func tile6x2<V: SIMD>(
        _ v: V.Type, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        _ c: Int, _ p: Int, _ depth: Int, _ pixels: Int
    ) where V.Scalar == Float {
        let n = V.scalarCount
        var a0 = V(), a1 = V(), b0 = V(), b1 = V(), c0 = V(), c1 = V()
        var d0 = V(), d1 = V(), e0 = V(), e1 = V(), f0 = V(), f1 = V()
        let w0 = w + c * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth, w4 = w3 + depth, w5 = w4 + depth
        var row = x + p
        for k in 0..<depth {
            let x0 = load(V.self, row, 0), x1 = load(V.self, row, n)
            var s = V(repeating: w0[k])
            a0.addProduct(s, x0); a1.addProduct(s, x1)
            s = V(repeating: w1[k])
            b0.addProduct(s, x0); b1.addProduct(s, x1)
            s = V(repeating: w2[k])
            c0.addProduct(s, x0); c1.addProduct(s, x1)
            s = V(repeating: w3[k])
            d0.addProduct(s, x0); d1.addProduct(s, x1)
            s = V(repeating: w4[k])
            e0.addProduct(s, x0); e1.addProduct(s, x1)
            s = V(repeating: w5[k])
            f0.addProduct(s, x0); f1.addProduct(s, x1)
            row += pixels
        }
        let o = c * pixels + p
        store(a0, y, o); store(a1, y, o + n)
        store(b0, y, o + pixels); store(b1, y, o + pixels + n)
        store(c0, y, o + 2 * pixels); store(c1, y, o + 2 * pixels + n)
        store(d0, y, o + 3 * pixels); store(d1, y, o + 3 * pixels + n)
        store(e0, y, o + 4 * pixels); store(e1, y, o + 4 * pixels + n)
        store(f0, y, o + 5 * pixels); store(f1, y, o + 5 * pixels + n)
    }

    /// Channels c..<c+2 × pixels p..<p+4·lanes, eight accumulators in registers.
    @_alwaysEmitIntoClient
    @inline(__always)
    static func tile2x4<V: SIMD>(
        _ v: V.Type, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        _ c: Int, _ p: Int, _ depth: Int, _ pixels: Int
    ) where V.Scalar == Float {
        let n = V.scalarCount
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), b0 = V(), b1 = V(), b2 = V(), b3 = V()
        let w0 = w + c * depth, w1 = w0 + depth
        var row = x + p
        for k in 0..<depth {
            let x0 = load(V.self, row, 0), x1 = load(V.self, row, n), x2 = load(V.self, row, 2 * n), x3 = load(V.self, row, 3 * n)
            var s = V(repeating: w0[k])
            a0.addProduct(s, x0); a1.addProduct(s, x1); a2.addProduct(s, x2); a3.addProduct(s, x3)
            s = V(repeating: w1[k])
            b0.addProduct(s, x0); b1.addProduct(s, x1); b2.addProduct(s, x2); b3.addProduct(s, x3)
            row += pixels
        }
        let o = c * pixels + p
        store(a0, y, o); store(a1, y, o + n); store(a2, y, o + 2 * n); store(a3, y, o + 3 * n)
        store(b0, y, o + pixels); store(b1, y, o + pixels + n); store(b2, y, o + pixels + 2 * n); store(b3, y, o + pixels + 3 * n)
    }

    /// Channels c..<c+4 × pixels p..<p+4·lanes, sixteen accumulators (for 32-register builds).
    @_alwaysEmitIntoClient
    @inline(__always)
    static func tile4x4<V: SIMD>(
        _ v: V.Type, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        _ c: Int, _ p: Int, _ depth: Int, _ pixels: Int
    ) where V.Scalar == Float {
        let n = V.scalarCount
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), b0 = V(), b1 = V(), b2 = V(), b3 = V()
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), d0 = V(), d1 = V(), d2 = V(), d3 = V()
        let w0 = w + c * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth
        var row = x + p
        for k in 0..<depth {
            let x0 = load(V.self, row, 0), x1 = load(V.self, row, n), x2 = load(V.self, row, 2 * n), x3 = load(V.self, row, 3 * n)
            var s = V(repeating: w0[k])
            a0.addProduct(s, x0); a1.addProduct(s, x1); a2.addProduct(s, x2); a3.addProduct(s, x3)
            s = V(repeating: w1[k])
            b0.addProduct(s, x0); b1.addProduct(s, x1); b2.addProduct(s, x2); b3.addProduct(s, x3)
            s = V(repeating: w2[k])
            c0.addProduct(s, x0); c1.addProduct(s, x1); c2.addProduct(s, x2); c3.addProduct(s, x3)
            s = V(repeating: w3[k])
            d0.addProduct(s, x0); d1.addProduct(s, x1); d2.addProduct(s, x2); d3.addProduct(s, x3)
            row += pixels
        }
        let o = c * pixels + p
        store(a0, y, o); store(a1, y, o + n); store(a2, y, o + 2 * n); store(a3, y, o + 3 * n)
        let o1 = o + pixels, o2 = o + 2 * pixels, o3 = o + 3 * pixels
        store(b0, y, o1); store(b1, y, o1 + n); store(b2, y, o1 + 2 * n); store(b3, y, o1 + 3 * n)
        store(c0, y, o2); store(c1, y, o2 + n); store(c2, y, o2 + 2 * n); store(c3, y, o2 + 3 * n)
        store(d0, y, o3); store(d1, y, o3 + n); store(d2, y, o3 + 2 * n); store(d3, y, o3 + 3 * n)
    }

    /// Channels c..<c+4 × one vector of pixels from p.
    @_alwaysEmitIntoClient
    @inline(__always)
    static func tile4x1<V: SIMD>(
        _ v: V.Type, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        _ c: Int, _ p: Int, _ depth: Int, _ pixels: Int
    ) where V.Scalar == Float {
        var a = V(), b = V(), d = V(), e = V()
        let w0 = w + c * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth
        var row = x + p
        for k in 0..<depth {
            let x0 = load(V.self, row, 0)
            a.addProduct(V(repeating: w0[k]), x0)
            b.addProduct(V(repeating: w1[k]), x0)
            d.addProduct(V(repeating: w2[k]), x0)
            e.addProduct(V(repeating: w3[k]), x0)
            row += pixels
        }
        let o = c * pixels + p
        store(a, y, o); store(b, y, o + pixels); store(d, y, o + 2 * pixels); store(e, y, o + 3 * pixels)
    }

    /// `product` with 8 lanes, built for AVX2 + FMA. Call it only where the CPU has both.
    @inline(never)
    public static func productAVX2(
        weight: UnsafePointer<Float>, columns: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        channels: Int, depth: Int, pixels: Int
    ) {
        product(SIMD8<Float>.self, weight: weight, columns: columns, output: output, channels: channels, depth: depth, pixels: pixels)
    }
}
