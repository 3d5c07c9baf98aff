import Foundation

/// One model's parameters, by name, as float32 pointers. F32 files are used in place from
/// the memory map. F16 tensors are widened once at load, except the large ones
/// (`halfThreshold` values or more: the linear layers' weights), which stay mapped as
/// halves: the engine widens them on the fly (`halves`), so a fp16 set costs half the
/// memory and half the weight reads. Asking such a tensor as float32 (training, tests)
/// widens it then, once.
///
/// `@unchecked Sendable`: `pointers` and `halves` are written only in init and read-only
/// afterwards; they point into the read-only map or into buffers this object owns and frees.
/// `lateWidened` is written under `lock`.
public final class ModelWeights: @unchecked Sendable {
    /// The mapped file; kept alive because F32 tensors point into it.
    public let file: MappedFile
    /// F16 tensors of this many values or more stay halves in the map.
    public static let halfThreshold = 65_536
    private var pointers: [String: UnsafePointer<Float>] = [:]
    private var widened: [UnsafeMutableBufferPointer<Float>] = []
    private var halves: [String: (pointer: UnsafeRawPointer, count: Int)] = [:]
    private var lateWidened: [String: UnsafeMutableBufferPointer<Float>] = [:]
    private let lock = NSLock()

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
                    let raw = UnsafeRawPointer(base + e.begin)
                    if count >= Self.halfThreshold {
                        halves[e.name] = (raw, count)
                        continue
                    }
                    let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
                    HalfWidening.widen(raw, count: count, into: out.baseAddress!)
                    widened.append(out)
                    pointers[e.name] = UnsafePointer(out.baseAddress!)
                }
            }
            if let missing = architecture.parameterSpecs.first(where: { pointers[$0.name] == nil && halves[$0.name] == nil }) {
                throw ModelSetError.mismatch("missing tensor '\(missing.name)' \(missing.shape) for \(architecture.rawValue)")
            }
        } catch let error as ModelSetError {
            widened.forEach { $0.deallocate() }
            throw ModelSetError.inFile(path, underlying: error.description)
        }
    }

    deinit {
        widened.forEach { $0.deallocate() }
        lateWidened.values.forEach { $0.deallocate() }
    }

    /// The tensor `name` as float32 (a tensor kept as halves is widened now, once). Crashes
    /// (precondition) on an unknown name: init has checked every name the architecture needs.
    public subscript(name: String) -> UnsafePointer<Float> {
        if let p = pointers[name] { return p }
        guard let h = halves[name] else { preconditionFailure("no tensor \(name)") }
        lock.lock()
        defer { lock.unlock() }
        if let done = lateWidened[name] { return UnsafePointer(done.baseAddress!) }
        let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: h.count)
        HalfWidening.widen(h.pointer, count: h.count, into: out.baseAddress!)
        lateWidened[name] = out
        return UnsafePointer(out.baseAddress!)
    }

    /// The little-endian binary16 values of `name` in the map, when the file stores it as F16
    /// and it is large enough to stay so (`halfThreshold`); nil otherwise.
    public func halves(_ name: String) -> UnsafeRawPointer? { halves[name]?.pointer }

    /// A copy of the first `count` floats of tensor `name`.
    public func values(_ name: String, count: Int) -> [Float] { Array(UnsafeBufferPointer(start: self[name], count: count)) }
}
