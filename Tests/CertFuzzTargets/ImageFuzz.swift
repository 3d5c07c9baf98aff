import CertData
import CertShape

/// The decoders as their callers run them: the daemon (the model set's shape expected, its
/// `max_pixels`) and the CLI (any shape). Every input either decodes to a valid image or
/// throws `ImageDecodingError`.
enum ImageFuzz {
    static let mnist = ImageShape(channels: 1, height: 28, width: 28)

    static func run(_ bytes: [UInt8]) {
        // The daemon: the set's shape, the default max_pixels.
        check(bytes, expecting: mnist, maxValues: ImageLimits.maximumValues)
        // The CLI: any shape (a smaller cap keeps each run fast; the code path is the same).
        check(bytes, expecting: nil, maxValues: 1 << 20)
    }

    private static func check(_ bytes: [UInt8], expecting: ImageShape?, maxValues: Int) {
        do {
            let image = try ImageDecoder.decode(bytes, source: "fuzz", expecting: expecting, maxValues: maxValues)
            guard image.pixels.count == image.shape.count else { violated("\(image.shape) with \(image.pixels.count) values") }
            guard image.shape.count <= maxValues else { violated("\(image.shape) is over the limit \(maxValues)") }
            if let expecting, image.shape != expecting { violated("\(image.shape) decoded while \(expecting) was expected") }
            guard image.pixels.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { violated("a value outside [0, 1]") }
        } catch is ImageDecodingError {
        } catch {
            violated("unexpected error type: \(error)")
        }
    }
}
