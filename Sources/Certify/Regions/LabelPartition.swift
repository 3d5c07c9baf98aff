/// The screen's rows of one label: blocks of at most `RegionIndex.blockSize` regions in commit
/// order, each row [f̂_j, ν̂_j] (rank + 1 float32), with the region's position and radius bound.
struct LabelPartition {
    let label: Int
    var blocks: [LabelBlock] = []

    init(label: Int) { self.label = label }

    var count: Int { blocks.reduce(0) { $0 + $1.count } }

    mutating func append(position: Int, features: UnsafeBufferPointer<Float>, nu: Float, radiusBound: Float, rank: Int) {
        if blocks.last.map({ $0.count == $0.capacity }) ?? true {
            blocks.append(LabelBlock(capacity: RegionIndex.blockSize, stride: rank + 1))
        }
        blocks[blocks.count - 1].append(position: position, features: features, nu: nu, radiusBound: radiusBound)
    }

    /// Removes the rows of positions >= `position` (they are the last ones: commit order).
    mutating func removeRows(from position: Int) {
        while let last = blocks.last {
            last.removeRows(from: position)
            if last.count > 0 { break }
            blocks.removeLast()
            if blocks.last.map({ $0.lastPosition < position }) ?? true { break }
        }
    }
}

/// A fixed-capacity block of screen rows, allocated once (no growth doubling the memory).
/// The maxima only grow (a truncation leaves them as valid upper bounds).
final class LabelBlock {
    let capacity: Int
    let stride: Int
    private(set) var rows: [Float]
    private(set) var positions: [Int32]
    private(set) var radiusBounds: [Float]
    private(set) var count = 0
    private(set) var maxNu: Float = 0
    private(set) var maxRadius: Float = 0

    init(capacity: Int, stride: Int) {
        self.capacity = capacity
        self.stride = stride
        rows = [Float](repeating: 0, count: capacity * stride)
        positions = [Int32](repeating: 0, count: capacity)
        radiusBounds = [Float](repeating: 0, count: capacity)
    }

    var bytes: Int { 4 * capacity * (stride + 2) }
    var lastPosition: Int { count > 0 ? Int(positions[count - 1]) : -1 }

    func append(position: Int, features: UnsafeBufferPointer<Float>, nu: Float, radiusBound: Float) {
        precondition(count < capacity && features.count == stride - 1)
        guard let p = Int32(exactly: position) else { preconditionFailure("the region index holds at most 2^31 regions") }
        let base = count * stride
        for i in 0..<(stride - 1) { rows[base + i] = features[i] }
        rows[base + stride - 1] = nu
        positions[count] = p
        radiusBounds[count] = radiusBound
        // NaN-safe maxima: a NaN bound would make the block's threshold NaN, which excludes nothing.
        maxNu = nu > maxNu ? nu : (nu.isNaN ? .nan : maxNu)
        maxRadius = max(maxRadius, radiusBound)
        count += 1
    }

    func removeRows(from position: Int) {
        while count > 0 && Int(positions[count - 1]) >= position { count -= 1 }
    }

    /// How many of the first rows have positions below `limit` (rows are in commit order).
    func rows(below limit: Int) -> Int {
        var n = count
        while n > 0 && Int(positions[n - 1]) >= limit { n -= 1 }
        return n
    }
}
