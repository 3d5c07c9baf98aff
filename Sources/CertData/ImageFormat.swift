/// The formats `ImageDecoder` reads. Always detected from magic bytes, never from a name.
public enum ImageFormat: String, Sendable, CaseIterable {
    /// PNG, JPEG, PGM/PPM (P2, P3, P5, P6) and NumPy .npy.
    case png, jpeg, pnm, npy

    /// Human-readable list for "unknown format" messages.
    static let supportedList = "PNG, JPEG, PGM/PPM (P2, P3, P5, P6), NumPy .npy"

    init?(magic bytes: [UInt8]) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) {
            self = .npy
        } else if bytes.count >= 3, bytes[0] == UInt8(ascii: "P"),
            PNMDecoder.kinds.contains(bytes[1]),
            PNMDecoder.isWhitespace(bytes[2]) || bytes[2] == UInt8(ascii: "#")
        {
            self = .pnm
        } else {
            return nil
        }
    }
}
