/// A 64-byte aligned float buffer with a fixed size; freed with its owner.
///
/// `@unchecked Sendable`: safe to send, not to write from two threads. The class holds only `let`s,
/// but the floats behind `pointer` are writable by anyone, so every owner keeps one rule: filled
/// once before it is shared and only read afterwards (`ModelTensors`, `PreparedImage`), or used by
/// one thread at a time (`Workspace`).
public final class AlignedBuffer: @unchecked Sendable {
    /// The first of `count` floats, 64-byte aligned, zero-initialised; valid while the buffer
    /// lives.
    public let pointer: UnsafeMutablePointer<Float>
    /// Floats in the buffer (at least one is allocated, so `pointer` is valid even for 0).
    public let count: Int

    /// `count` zeros.
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// A copy of the contents.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
