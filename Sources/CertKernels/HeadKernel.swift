/// The fully connected layers' product, y_t = W·x_t for each image t, in a fixed order of
/// operations that does not depend on how many images are run or where an image sits: for
/// each (output, image) pair, eight fused multiply-add lanes over k in steps of 8, the lanes
/// summed pairwise ((0+4, 1+5, 2+6, 3+7), then halves, then the last two), then the k tail
/// (k mod 8) by scalar fused multiply-adds. So an image's logits are the same bits alone or in
/// a full tile, on any CPU and BLAS kernel (a fused multiply-add rounds once, in hardware or
/// in `fmaf`).
///
/// Two builds of one body: `productFMA` and `productHalvesF16C`, compiled in this module for
/// Haswell's instruction set (AVX2 + FMA + F16C; Package.swift gives this module alone
/// `-target-cpu haswell`), and `product` and `productHalves`, emitted into the caller's module
/// for the baseline x86-64, where each lane's fused multiply-add is a libm call: correct
/// everywhere, slow (`CertCore.Linear` picks the first when /proc/cpuinfo lists avx2, fma and
/// f16c). fp16 weights (`productHalves…`) are widened in registers as they are read: exact,
/// so the same bits as widening them first, with half the bytes streamed.
///
/// Why not OpenBLAS here: its product with the 16 images as a dimension is fixed-order only
/// at a fixed shape, so one image alone paid for sixteen (the weights of 1000 models, 1 GB,
/// were read at a third of the memory's speed); this kernel runs exactly the images given and
/// is as fast as OpenBLAS's at sixteen (measured with `certssb bench`).
public enum HeadKernel {
    /// y[t·outFeatures + o] = Σ_k weight[o·inFeatures + k] · x[t·inFeatures + k] for t < images:
    /// `x` holds the images' features row by row, `weight` is the row-major [out × in] matrix.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func product(
        _ x: UnsafePointer<Float>, images: Int, inFeatures n: Int, outFeatures m: Int,
        weight w: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>
    ) {
        product(x, images: images, inFeatures: n, outFeatures: m, rows: FloatWeightRows(w, columns: n), output: y)
    }

    /// `product` with W stored as little-endian binary16 halves, widened as they are read.
    @_alwaysEmitIntoClient
    @inline(__always)
    public static func productHalves(
        _ x: UnsafePointer<Float>, images: Int, inFeatures n: Int, outFeatures m: Int,
        weight w: UnsafeRawPointer, output y: UnsafeMutablePointer<Float>
    ) {
        product(x, images: images, inFeatures: n, outFeatures: m, rows: HalfWeightRows(w, columns: n), output: y)
    }

    /// The one body of every build: W read through `rows`.
    ///
    /// Rows go in blocks of four a quarter of the matrix apart (q, q + Q, q + 2Q, q + 3Q with
    /// Q = ⌊m/4⌋), then the ⌊m/4⌋·4…m−1 leftovers one at a time. For one image that gives
    /// four independent FMA chains reading four long sequential streams (each Q rows of
    /// contiguous memory). Rows one at a time wait on one FMA chain's latency; four adjacent
    /// rows (four short 2 kB streams) defeat the prefetcher (half the speed of one row); four
    /// far rows read as fast as a plain sum. One image's head of a 1000-model set on one
    /// thread, 2-core EPYC: 72 µs a model row by row, 53 µs in far blocks. The arithmetic of
    /// each (row, image) pair is the same in every block, so the grouping never changes a bit.
    @inlinable @inline(__always)
    static func product<W: HeadWeightRows>(
        _ x: UnsafePointer<Float>, images: Int, inFeatures n: Int, outFeatures m: Int, rows w: W,
        output y: UnsafeMutablePointer<Float>
    ) {
        let vectorEnd = n - n % 8
        let quarter = m / 4
        for q in 0..<quarter {
            var t = 0
            while t < images {
                let pair = images - t >= 2 ? 2 : 1
                block(x, t, pair, n, vectorEnd, w, q, quarter, 4, y, m)
                t += pair
            }
        }
        for o in (4 * quarter)..<m {
            for t in 0..<images { block(x, t, 1, n, vectorEnd, w, o, 0, 1, y, m) }
        }
    }

    /// `rows` × `count` outputs (at most 4 × 2, all in registers) from rows o, o + stride, …
    /// and images t….
    @inlinable @inline(__always)
    static func block<W: HeadWeightRows>(
        _ x: UnsafePointer<Float>, _ t: Int, _ count: Int, _ n: Int, _ vectorEnd: Int,
        _ w: W, _ o: Int, _ stride: Int, _ rows: Int, _ y: UnsafeMutablePointer<Float>, _ m: Int
    ) {
        let xr = UnsafeRawPointer(x + t * n)
        let o1 = o + stride, o2 = o + 2 * stride, o3 = o + 3 * stride
        var acc = (
            SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>()
        )
        var k = 0
        if rows == 4 && count == 2 {
            let x1 = xr + 4 * n
            while k < vectorEnd {
                let b = 4 * k
                let v0 = xr.loadUnaligned(fromByteOffset: b, as: SIMD8<Float>.self)
                let v1 = x1.loadUnaligned(fromByteOffset: b, as: SIMD8<Float>.self)
                let r0 = w.vector(row: o, column: k)
                acc.0.addProduct(r0, v0)
                acc.1.addProduct(r0, v1)
                let r1 = w.vector(row: o1, column: k)
                acc.2.addProduct(r1, v0)
                acc.3.addProduct(r1, v1)
                let r2 = w.vector(row: o2, column: k)
                acc.4.addProduct(r2, v0)
                acc.5.addProduct(r2, v1)
                let r3 = w.vector(row: o3, column: k)
                acc.6.addProduct(r3, v0)
                acc.7.addProduct(r3, v1)
                k += 8
            }
            finish(acc.0, x, t, w, o, n, vectorEnd, y, m)
            finish(acc.1, x, t + 1, w, o, n, vectorEnd, y, m)
            finish(acc.2, x, t, w, o1, n, vectorEnd, y, m)
            finish(acc.3, x, t + 1, w, o1, n, vectorEnd, y, m)
            finish(acc.4, x, t, w, o2, n, vectorEnd, y, m)
            finish(acc.5, x, t + 1, w, o2, n, vectorEnd, y, m)
            finish(acc.6, x, t, w, o3, n, vectorEnd, y, m)
            finish(acc.7, x, t + 1, w, o3, n, vectorEnd, y, m)
            return
        }
        if rows == 4 {
            // One image: four chains, one per row, so the FMAs' latency overlaps.
            while k < vectorEnd {
                let v = xr.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
                acc.0.addProduct(w.vector(row: o, column: k), v)
                acc.1.addProduct(w.vector(row: o1, column: k), v)
                acc.2.addProduct(w.vector(row: o2, column: k), v)
                acc.3.addProduct(w.vector(row: o3, column: k), v)
                k += 8
            }
            finish(acc.0, x, t, w, o, n, vectorEnd, y, m)
            finish(acc.1, x, t, w, o1, n, vectorEnd, y, m)
            finish(acc.2, x, t, w, o2, n, vectorEnd, y, m)
            finish(acc.3, x, t, w, o3, n, vectorEnd, y, m)
            return
        }
        // One row and one image: the same lanes in the same order.
        while k < vectorEnd {
            acc.0.addProduct(w.vector(row: o, column: k), xr.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self))
            k += 8
        }
        finish(acc.0, x, t, w, o, n, vectorEnd, y, m)
    }

    /// y[t·m + o] = the lanes summed pairwise, then the k tail by scalar fused multiply-adds.
    @inlinable @inline(__always)
    static func finish<W: HeadWeightRows>(
        _ lanes: SIMD8<Float>, _ x: UnsafePointer<Float>, _ t: Int, _ w: W, _ o: Int, _ n: Int,
        _ vectorEnd: Int, _ y: UnsafeMutablePointer<Float>, _ m: Int
    ) {
        let four = lanes.lowHalf + lanes.highHalf
        let two = four.lowHalf + four.highHalf
        var s = two[0] + two[1]
        for k in vectorEnd..<n { s.addProduct(w.scalar(row: o, column: k), x[t * n + k]) }
        y[t * m + o] = s
    }

    /// `product`, built for AVX2 + FMA. Call it only where the CPU has both.
    @inline(never)
    public static func productFMA(
        _ x: UnsafePointer<Float>, images: Int, inFeatures: Int, outFeatures: Int,
        weight: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        product(x, images: images, inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, output: output)
    }

    /// `productHalves`, built for AVX2 + FMA + F16C, each half widened by `vcvtph2ps` as it is
    /// read (the same values as the integer form). Call it only where the CPU has all three.
    @inline(never)
    public static func productHalvesF16C(
        _ x: UnsafePointer<Float>, images: Int, inFeatures n: Int, outFeatures m: Int,
        weight: UnsafeRawPointer, output: UnsafeMutablePointer<Float>
    ) {
        product(x, images: images, inFeatures: n, outFeatures: m, rows: F16CWeightRows(weight, columns: n), output: output)
    }
}
