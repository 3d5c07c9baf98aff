import CertCore
import Foundation

/// A model set as `ModelSet.load` reads it from its directory. The input is
/// `[manifest length, 2 bytes LE][manifest.json][weights file]`; the weights go to
/// `model_0000.safetensors` and `model_0001.safetensors`, the names a written set uses.
/// The safetensors header is also parsed straight from memory, the way the map is read.
enum ModelSetFuzz {
    static func run(_ bytes: [UInt8]) {
        let (manifest, weights) = split(bytes)
        parseHeader(weights)
        let directory = FuzzScratch.file("modelset")
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FuzzScratch.write(manifest, to: "modelset/manifest.json")
        FuzzScratch.write(weights, to: "modelset/model_0000.safetensors")
        FuzzScratch.write(weights, to: "modelset/model_0001.safetensors")
        do {
            let set = try ModelSet.load(directory: directory)
            // What a loaded set promises its users: roles, an id, every tensor its architecture needs.
            _ = set.id
            let roles = set.roles
            guard !roles.certify.isEmpty else { violated("a loaded set with no certifying model") }
            for w in set.weights {
                for spec in set.manifest.architecture.parameterSpecs { _ = w[spec.name] }
            }
        } catch is ModelSetError {
        } catch {
            violated("unexpected error type: \(error)")
        }
    }

    static func split(_ bytes: [UInt8]) -> (manifest: [UInt8], weights: [UInt8]) {
        guard bytes.count >= 2 else { return (bytes, []) }
        let length = min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2)
        return (Array(bytes[2..<(2 + length)]), Array(bytes[(2 + length)...]))
    }

    private static func parseHeader(_ weights: [UInt8]) {
        weights.withUnsafeBytes { raw in
            do {
                let (entries, dataStart) = try Safetensors.parseHeader(raw)
                for e in entries {
                    guard e.begin >= 0, e.end >= e.begin, dataStart + e.end <= raw.count else {
                        violated("tensor \(e.name) [\(e.begin), \(e.end)) outside the \(raw.count)-byte file")
                    }
                }
            } catch is ModelSetError {
            } catch {
                violated("unexpected error type: \(error)")
            }
        }
    }
}
