import CertData
import CertMath
import CertShape
import Foundation

/// Seeded stand-ins for MNIST digits: 28×28 greyscale, one to three bright anti-aliased
/// strokes (segments and arcs) on black. Tests of the daemon's behaviour (exactly-once
/// processing, sidecars, status codes) need real, distinct images of the model set's shape,
/// not real digits, so they take these instead of waiting for ../shared.
public enum SyntheticImages {
    public static let digitShape = ImageShape(channels: 1, height: 28, width: 28)

    /// Image `index` of the set `seed`; the same arguments give the same pixels.
    public static func digit(index: Int, seed: UInt64 = 1) -> DecodedImage {
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
        var pixels = [Float](repeating: 0, count: digitShape.count)
        for _ in 0..<(1 + Int(rng.next() % 3)) {
            let stroke = rng.next() % 2 == 0 ? arc(&rng) : polyline(&rng)
            let halfWidth = rng.uniform(0.7, 1.4)
            for y in 0..<28 {
                for x in 0..<28 {
                    let d = distance(from: (Double(x), Double(y)), to: stroke)
                    // One pixel of linear fall-off past the stroke's edge, like a scanned pen line.
                    let v = Float(min(max(halfWidth + 0.5 - d, 0), 1))
                    pixels[y * 28 + x] = max(pixels[y * 28 + x], v)
                }
            }
        }
        return DecodedImage(shape: digitShape, pixels: pixels)
    }

    /// `count` digits as PNG files' bytes: images `first ..< first + count` of the set `seed`.
    public static func digitPNGs(_ count: Int, seed: UInt64 = 1, first: Int = 0) throws -> [[UInt8]] {
        try (first..<(first + count)).map { try PNGEncoder.encode(digit(index: $0, seed: seed)) }
    }

    /// Writes `count` digit PNGs into `directory` as `<prefix>NNN.png`; their paths.
    public static func writeDigits(
        _ count: Int, seed: UInt64 = 1, into directory: String,
        prefix: String = "digit"
    ) throws -> [String] {
        try digitPNGs(count, seed: seed).enumerated().map { i, png in
            let path = directory + "/" + prefix + String(format: "%03d.png", i)
            try Data(png).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    private static func arc(_ rng: inout SplitMix64) -> [(Double, Double)] {
        let cx = rng.uniform(10, 18), cy = rng.uniform(9, 19)
        let rx = rng.uniform(3, 8), ry = rng.uniform(4, 9)
        let start = rng.uniform(0, 2 * .pi), span = rng.uniform(.pi, 2 * .pi)
        return (0...16).map { k in
            let t = start + span * Double(k) / 16
            return (cx + rx * cos(t), cy + ry * sin(t))
        }
    }

    private static func polyline(_ rng: inout SplitMix64) -> [(Double, Double)] {
        (0..<(2 + Int(rng.next() % 3))).map { _ in (rng.uniform(5, 23), rng.uniform(4, 24)) }
    }

    /// Distance from `p` to the nearest segment of `line`.
    private static func distance(from p: (Double, Double), to line: [(Double, Double)]) -> Double {
        var best = Double.infinity
        for (a, b) in zip(line, line.dropFirst()) {
            let (dx, dy) = (b.0 - a.0, b.1 - a.1)
            let length2 = dx * dx + dy * dy
            let t = length2 == 0 ? 0 : min(max(((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2, 0), 1)
            let (qx, qy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1)
            best = min(best, (qx * qx + qy * qy).squareRoot())
        }
        return best
    }
}

extension SplitMix64 {
    /// Uniform in [lo, hi) from the top 53 bits of one output.
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(UInt64(1) << 53)
    }
}
