/// Copies a (possibly strided, offset) view of a storage into a row-major contiguous array,
/// after checking that every index it touches lies inside the storage.
enum StridedGather {
    /// `limit`: the most values the view may hold (what is left of `TorchCheckpoint.maximumElements`).
    static func gather(
        _ storage: [Float], offset: Int, shape: [Int], stride: [Int], limit: Int = TorchCheckpoint.maximumElements
    ) throws -> [Float] {
        guard shape.count == stride.count else {
            throw ImportFailure("size has \(shape.count) dimensions but stride has \(stride.count)")
        }
        guard offset >= 0 else { throw ImportFailure("negative storage offset \(offset)") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ImportFailure("negative size \(shape)") }
        guard stride.allSatisfy({ $0 >= 0 }) else { throw ImportFailure("negative stride \(stride)") }

        var count = 1
        var lastIndex = offset  // largest storage index the view touches
        for (size, step) in zip(shape, stride) {
            let (c, o1) = count.multipliedReportingOverflow(by: size)
            let (reach, o2) = (size > 0 ? size - 1 : 0).multipliedReportingOverflow(by: step)
            let (last, o3) = lastIndex.addingReportingOverflow(reach)
            guard !o1, !o2, !o3 else { throw ImportFailure("tensor size \(shape) / stride \(stride) overflows") }
            count = c
            lastIndex = last
        }
        if count == 0 { return [] }
        // Stride 0 repeats elements: a 16-byte storage can describe any number of them.
        guard count <= limit else {
            throw ImportFailure(
                "view of size \(shape) holds \(count) values, more than the \(limit) left of the checkpoint's limit")
        }
        guard lastIndex < storage.count else {
            throw ImportFailure(
                "view (offset \(offset), size \(shape), stride \(stride)) reaches element "
                    + "\(lastIndex) of a storage of \(storage.count) elements")
        }
        if isContiguous(shape: shape, stride: stride) {
            return Array(storage[offset..<offset + count])
        }
        return stridedCopy(storage, offset: offset, shape: shape, stride: stride, count: count)
    }

    /// Row-major contiguous; strides of size-1 dimensions do not matter.
    static func isContiguous(shape: [Int], stride: [Int]) -> Bool {
        var expected = 1
        for d in shape.indices.reversed() where shape[d] != 1 {
            if stride[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// Odometer over the outer dimensions, a pointer walk along the innermost one.
    private static func stridedCopy(
        _ storage: [Float], offset: Int, shape: [Int], stride: [Int],
        count: Int
    ) -> [Float] {
        let rank = shape.count  // >= 1 here: a 0-d tensor is always contiguous
        let inner = shape[rank - 1], innerStride = stride[rank - 1]
        return storage.withUnsafeBufferPointer { src in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                var index = [Int](repeating: 0, count: rank)
                var base = offset
                var o = 0
                for _ in 0..<(count / inner) {
                    var p = base
                    for j in 0..<inner {
                        out[o + j] = src[p]
                        p += innerStride
                    }
                    o += inner
                    var d = rank - 2
                    while d >= 0 {
                        index[d] += 1
                        base += stride[d]
                        if index[d] < shape[d] { break }
                        base -= stride[d] * shape[d]
                        index[d] = 0
                        d -= 1
                    }
                }
                initialized = count
            }
        }
    }
}
