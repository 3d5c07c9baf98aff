/// The memory-bound steps around the convolutions' products: the bias pass of
/// `CertCore.ConvEpilogue` (bias, the stem's noise term, ReLU), its 2×2 max pooling, and the
/// unit-stride unpadded im2col copy. Exact operations (adds, products that are never fused,
/// maxima, copies), so every build gives the same bits; the Haswell build (this module's
/// `…Haswell` entry points) runs them on 256-bit vectors where CertCore's baseline x86-64
/// build had 128-bit ones (measured: `certssb bench`, see README "Benchmarks"). The bodies are
/// emitted into the caller for the portable build.
public enum EpilogueKernel {
    /// Per channel c of a [channels × pixels] product, in place: p += scale·noise + bias[c]
    /// (the stem's noise response, only where `noise` is given), or p += bias[c]; then
    /// max(p, 0) when `relu`.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func biasReLU(
        _ product: UnsafeMutablePointer<Float>, channels: Int, pixels: Int, bias: UnsafePointer<Float>?,
        noise: UnsafePointer<Float>?, scale: Float, relu: Bool
    ) {
        for c in 0..<channels {
            let p = product + c * pixels
            // One loop per case, so each stays a plain vector loop.
            switch (noise, bias, relu) {
            case let (n?, _, relu) where scale != 0:
                let n = n + c * pixels, b = bias?[c] ?? 0
                if relu {
                    for i in 0..<pixels { p[i] = max(p[i] + (scale * n[i] + b), 0) }
                } else {
                    for i in 0..<pixels { p[i] += scale * n[i] + b }
                }
            case let (_, bias?, true):
                let b = bias[c]
                for i in 0..<pixels { p[i] = max(p[i] + b, 0) }
            case let (_, bias?, false):
                let b = bias[c]
                for i in 0..<pixels { p[i] += b }
            case (_, nil, true):
                for i in 0..<pixels { p[i] = max(p[i], 0) }
            case (_, nil, false):
                break
            }
        }
    }

    /// 2×2 max pooling, stride 2, unpadded, of [channels × height × width] into [channels ×
    /// height/2 × width/2]: four outputs per step from 8-wide loads of the two rows (the rows'
    /// maxima, then each pair of neighbours), the same order as the scalar tail; a NaN anywhere
    /// in a window makes it NaN, so a broken model's output is still caught.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func maxPool2x2(
        _ input: UnsafePointer<Float>, channels: Int, height: Int, width w: Int, output: UnsafeMutablePointer<Float>
    ) {
        let oh = height / 2, ow = w / 2
        for c in 0..<channels {
            let src = input + c * height * w
            let dst = output + c * oh * ow
            for oy in 0..<oh {
                let r0 = src + 2 * oy * w, r1 = r0 + w, out = dst + oy * ow
                var ox = 0
                while ox + 4 <= ow {
                    let a = UnsafeRawPointer(r0 + 2 * ox).loadUnaligned(as: SIMD8<Float>.self)
                    let b = UnsafeRawPointer(r1 + 2 * ox).loadUnaligned(as: SIMD8<Float>.self)
                    // `.| (x .!= x)` takes a NaN over anything (a comparison with NaN is false).
                    let rows = a.replacing(with: b, where: (b .> a) .| (b .!= b))
                    var pairs = rows.evenHalf
                    let odd = rows.oddHalf
                    pairs.replace(with: odd, where: (odd .> pairs) .| (odd .!= odd))
                    UnsafeMutableRawPointer(out + ox).storeBytes(of: pairs, as: SIMD4<Float>.self)
                    ox += 4
                }
                while ox < ow {
                    out[ox] = larger(larger(r0[2 * ox], r1[2 * ox]), larger(r0[2 * ox + 1], r1[2 * ox + 1]))
                    ox += 1
                }
            }
        }
    }

    /// The larger of two values, a NaN over anything (Swift's `max` keeps its first argument
    /// when the second is NaN): pooling never hides a broken model's NaN.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func larger(_ a: Float, _ b: Float) -> Float { (b > a || b.isNaN) ? b : a }

    /// im2col of a unit-stride, unpadded convolution (the MNIST CNN's second): every row of
    /// the [inChannels·k·k × outHeight·outWidth] matrix is `outHeight` windows of `outWidth`
    /// consecutive input values; row r starts at `cols + r·rowStride`.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func im2colUnpadded(
        _ input: UnsafePointer<Float>, inChannels: Int, inHeight: Int, inWidth w: Int, kernel k: Int,
        into cols: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        let oh = inHeight - k + 1, ow = w - k + 1
        var dst = cols
        for c in 0..<inChannels {
            let plane = input + c * inHeight * w
            for ky in 0..<k {
                for kx in 0..<k {
                    var src = plane + ky * w + kx
                    var line = dst
                    if ow == 8 {
                        for _ in 0..<oh {
                            UnsafeMutableRawPointer(line).storeBytes(
                                of: UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                            src += w
                            line += 8
                        }
                    } else {
                        for _ in 0..<oh {
                            copyRow(from: src, to: line, count: ow)
                            src += w
                            line += ow
                        }
                    }
                    dst += rowStride
                }
            }
        }
    }

    /// Short row copy in 8-wide vectors: im2col copies thousands of rows of a few floats,
    /// where memmove's call and a scalar loop both cost more than the copy.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func copyRow(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(dst)
        while i + 8 <= count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { dst[i] = src[i]; i += 1 }
    }

    /// `biasReLU` built for Haswell. Call it only where the CPU has AVX2.
    @inline(never)
    public static func biasReLUHaswell(
        _ product: UnsafeMutablePointer<Float>, channels: Int, pixels: Int, bias: UnsafePointer<Float>?,
        noise: UnsafePointer<Float>?, scale: Float, relu: Bool
    ) {
        biasReLU(product, channels: channels, pixels: pixels, bias: bias, noise: noise, scale: scale, relu: relu)
    }

    /// `maxPool2x2` built for Haswell. Call it only where the CPU has AVX2.
    @inline(never)
    public static func maxPool2x2Haswell(
        _ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int, output: UnsafeMutablePointer<Float>
    ) {
        maxPool2x2(input, channels: channels, height: height, width: width, output: output)
    }

    /// `im2colUnpadded` built for Haswell. Call it only where the CPU has AVX2.
    @inline(never)
    public static func im2colUnpaddedHaswell(
        _ input: UnsafePointer<Float>, inChannels: Int, inHeight: Int, inWidth: Int, kernel: Int,
        into cols: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        im2colUnpadded(
            input, inChannels: inChannels, inHeight: inHeight, inWidth: inWidth, kernel: kernel, into: cols, rowStride: rowStride)
    }
}
