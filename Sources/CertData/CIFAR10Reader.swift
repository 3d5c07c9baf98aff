import CertShape

/// CIFAR-10, binary version (cifar-10-binary.tar.gz, extracted): each record is 1 label
/// byte then 3072 bytes, the 32x32 red plane, green plane, blue plane, row-major. That is
/// already CHW, so a record's pixels are copied in order (value/255).
public enum CIFAR10Reader {
    /// CIFAR-10's class names; index = the record's label byte.
    public static let classes = [
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ]
    /// 3×32×32.
    public static let shape = ImageShape(channels: 3, height: 32, width: 32)
    static let recordSize = 1 + 3072

    /// The records of all `batches`, in order. Gzipped batch files are accepted too.
    public static func load(batches: [String]) throws -> LabeledDataset {
        guard !batches.isEmpty else { throw DatasetError.argument("CIFAR-10 reader needs at least one batch file") }
        let table = (0...255).map { Float($0) / 255 }
        var pixels: [Float] = []
        var labels: [Int] = []
        for path in batches {
            let bytes = try DatasetError.readFile(path)
            guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
                // CIFAR-100's binary records carry two label bytes (coarse, fine).
                let hint = !bytes.isEmpty && bytes.count % (recordSize + 1) == 0 ? " (CIFAR-100 binary? it is not supported)" : ""
                throw DatasetError.file(
                    path: path, problem: "size \(bytes.count) is not a positive multiple of the CIFAR-10 record size \(recordSize)\(hint)")
            }
            let n = bytes.count / recordSize
            for r in 0..<n {
                let label = Int(bytes[r * recordSize])
                guard label < classes.count else {
                    throw DatasetError.file(path: path, problem: "record \(r) has label \(label); CIFAR-10 labels are 0...9")
                }
                labels.append(label)
            }
            // Pointer loop: a full training set is 153M values.
            var values = [Float](repeating: 0, count: n * 3072)
            bytes.withUnsafeBufferPointer { src in
                values.withUnsafeMutableBufferPointer { dst in
                    for r in 0..<n {
                        let from = r * recordSize + 1, to = r * 3072
                        for k in 0..<3072 { dst[to + k] = table[Int(src[from + k])] }
                    }
                }
            }
            pixels += values
        }
        return LabeledDataset(shape: shape, pixels: pixels, labels: labels, classes: classes)
    }
}
