import Crypto
import Foundation

/// SHA-256 in lowercase hex: the identity of files, images and models throughout certssb.
public enum Checksum {
    /// SHA-256 of raw bytes (a mapped file, a decoded image's floats).
    public static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 of any byte collection (`Data`, `[UInt8]`).
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The authors' intended noise seed: int(sha256(file bytes), 16) mod 2^32, i.e. the
    /// last 32 bits of the digest read as a big-endian integer.
    public static func seedModulo32(sha256Hex hex: String) -> UInt32 {
        UInt32(hex.suffix(8), radix: 16)!
    }
}
