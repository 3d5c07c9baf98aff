import CertShape

/// MNIST / Fashion-MNIST in LeCun's IDX format, plain or gzipped (detected from the bytes,
/// not the name). Images: magic 0x00000803, big-endian N, H, W, then N*H*W uint8 row-major.
/// Labels: magic 0x00000801, N, then N uint8.
public enum IDXReader {
    static let imagesMagic: UInt32 = 0x0000_0803
    static let labelsMagic: UInt32 = 0x0000_0801

    /// Images as 1xHxW with value/255. Every failure is a `DatasetError.file` naming the file.
    public static func load(images: String, labels: String, classes: [String]) throws -> LabeledDataset {
        guard !classes.isEmpty else { throw DatasetError.argument("IDX reader needs at least one class name") }
        let imageBytes = try DatasetError.readFile(images)
        let labelBytes = try DatasetError.readFile(labels)
        let (shape, n, pixels) = try parseImages(imageBytes, path: images)
        let labelValues = try parseLabels(labelBytes, path: labels, classCount: classes.count)
        guard labelValues.count == n else {
            throw DatasetError.file(path: labels, problem: "has \(labelValues.count) labels but \(images) has \(n) images")
        }
        return LabeledDataset(shape: shape, pixels: pixels, labels: labelValues, classes: classes)
    }

    static func parseImages(_ bytes: [UInt8], path: String) throws -> (ImageShape, Int, [Float]) {
        let header = try readHeader(bytes, path: path, magic: imagesMagic, dimensions: 3, kind: "image")
        let (n, h, w) = (header[0], header[1], header[2])
        guard h > 0, w > 0, h * w <= ImageLimits.maximumValues else {
            throw DatasetError.file(path: path, problem: "IDX images of \(h)x\(w) are not usable")
        }
        let (needed, overflow) = n.multipliedReportingOverflow(by: h * w)
        try checkBody(bytes.count - 16, needed: overflow ? Int.max : needed, path: path, what: "\(n) images of \(h)x\(w)")
        // A table instead of a division per value: Fashion-MNIST has 47M of them.
        let table = (0...255).map { Float($0) / 255 }
        var pixels = [Float](repeating: 0, count: needed)
        bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for k in 0..<needed { dst[k] = table[Int(src[16 + k])] }
            }
        }
        return (ImageShape(channels: 1, height: h, width: w), n, pixels)
    }

    static func parseLabels(_ bytes: [UInt8], path: String, classCount: Int) throws -> [Int] {
        let n = try readHeader(bytes, path: path, magic: labelsMagic, dimensions: 1, kind: "label")[0]
        try checkBody(bytes.count - 8, needed: n, path: path, what: "\(n) labels")
        var labels = [Int](repeating: 0, count: n)
        for k in 0..<n {
            let label = Int(bytes[8 + k])
            guard label < classCount else {
                throw DatasetError.file(path: path, problem: "label \(label) at index \(k) is out of range (\(classCount) classes)")
            }
            labels[k] = label
        }
        return labels
    }

    /// Checks the magic and returns the big-endian dimension sizes after it.
    private static func readHeader(
        _ bytes: [UInt8], path: String, magic: UInt32,
        dimensions: Int, kind: String
    ) throws -> [Int] {
        let headerSize = 4 + 4 * dimensions
        guard bytes.count >= 4 else {
            throw DatasetError.file(path: path, problem: "truncated IDX \(kind) file: \(bytes.count) bytes, no header")
        }
        let found = be32(bytes, 0)
        guard found == magic else {
            throw DatasetError.file(
                path: path, problem: "wrong magic \(hex(found)) for an IDX \(kind) file; expected \(hex(magic))\(hint(found))")
        }
        guard bytes.count >= headerSize else {
            throw DatasetError.file(
                path: path, problem: "truncated IDX \(kind) file: header needs \(headerSize) bytes, file has \(bytes.count)")
        }
        return (0..<dimensions).map { Int(be32(bytes, 4 + 4 * $0)) }
    }

    private static func checkBody(_ available: Int, needed: Int, path: String, what: String) throws {
        guard available >= needed else {
            throw DatasetError.file(path: path, problem: "truncated IDX body: \(what) need \(needed) bytes, file has \(available)")
        }
        guard available == needed else {
            throw DatasetError.file(path: path, problem: "corrupt IDX file: \(available - needed) unexpected bytes after \(what)")
        }
    }

    /// Names the common mix-ups: images and labels swapped.
    private static func hint(_ found: UInt32) -> String {
        switch found {
        case imagesMagic: return " (this is an image file)"
        case labelsMagic: return " (this is a label file)"
        default: return ""
        }
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
