import Foundation

/// One model's parameters, by name, as float32 pointers. F32 files are used in place from
/// the memory map; F16 files are widened once at load.
///
/// `@unchecked Sendable`: `pointers` and `widened` are written only in init and read-only
/// afterwards; they point into the read-only map or into buffers this object owns and frees.
public final class ModelWeights: @unchecked Sendable {
    /// The mapped file; kept alive because F32 tensors point into it.
    public let file: MappedFile
    private var pointers: [String: UnsafePointer<Float>] = [:]
    private var widened: [UnsafeMutableBufferPointer<Float>] = []

    /// Maps `path` and checks every tensor `architecture` needs is present with its shape,
    /// and nothing else is there.
    public init(path: String, architecture: Architecture) throws {
        file = try MappedFile(path: path)
        do {
            let (entries, dataStart) = try Safetensors.parseHeader(file.bytes)
            let expected = Dictionary(uniqueKeysWithValues: architecture.parameterSpecs.map { ($0.name, $0.shape) })
            let base = file.bytes.baseAddress! + dataStart
            for e in entries {
                guard let shape = expected[e.name] else {
                    throw ModelSetError.mismatch("unexpected tensor '\(e.name)' for architecture \(architecture.rawValue)")
                }
                guard shape == e.shape else {
                    throw ModelSetError.mismatch("tensor '\(e.name)' has shape \(e.shape), \(architecture.rawValue) needs \(shape)")
                }
                let count = shape.reduce(1, *)
                switch e.dtype {
                case .f32:
                    guard Int(bitPattern: base + e.begin) % MemoryLayout<Float>.alignment == 0 else {
                        throw ModelSetError.corrupt("tensor '\(e.name)' is not 4-byte aligned in the file")
                    }
                    pointers[e.name] = UnsafePointer((base + e.begin).assumingMemoryBound(to: Float.self))
                case .f16:
                    let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
                    let raw = UnsafeRawPointer(base + e.begin)
                    for i in 0..<count {
                        out[i] = Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                    }
                    widened.append(out)
                    pointers[e.name] = UnsafePointer(out.baseAddress!)
                }
            }
            if let missing = architecture.parameterSpecs.first(where: { pointers[$0.name] == nil }) {
                throw ModelSetError.mismatch("missing tensor '\(missing.name)' \(missing.shape) for \(architecture.rawValue)")
            }
        } catch let error as ModelSetError {
            widened.forEach { $0.deallocate() }
            throw ModelSetError.inFile(path, underlying: error.description)
        }
    }

    deinit { widened.forEach { $0.deallocate() } }

    /// The tensor `name` as float32. Crashes (precondition) on an unknown name: init has checked
    /// every name the architecture needs.
    public subscript(name: String) -> UnsafePointer<Float> {
        guard let p = pointers[name] else { preconditionFailure("no tensor \(name)") }
        return p
    }

    /// A copy of the first `count` floats of tensor `name`.
    public func values(_ name: String, count: Int) -> [Float] { Array(UnsafeBufferPointer(start: self[name], count: count)) }
}
