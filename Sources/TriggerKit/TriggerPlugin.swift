import CTriggerABI
import CertShape

/// A loaded, validated trigger plugin. Calls go straight to its C functions; the library
/// stays loaded for the life of the process (the registry never dlcloses).
public struct TriggerPlugin: Sendable {
    /// The registry name: 1 to 32 of a-z 0-9 _ - (checked at load).
    public let name: String
    /// The plugin's own version string; empty when it gives none.
    public let version: String
    /// The plugin's one-line description, including which shapes it supports.
    public let description: String
    /// The shared library it came from.
    public let path: String
    // The descriptor is immutable and immortal, and the ABI requires thread-safe functions.
    nonisolated(unsafe) private let descriptor: UnsafePointer<certssb_trigger_v1>

    /// Only the registry makes these, after checking the descriptor's version, name and functions.
    init(descriptor: UnsafePointer<certssb_trigger_v1>, name: String, path: String) {
        self.descriptor = descriptor
        self.name = name
        self.path = path
        version = descriptor.pointee.version.map { String(cString: $0) } ?? ""
        description = descriptor.pointee.description.map { String(cString: $0) } ?? ""
    }

    /// Whether the plugin's `supports(c, h, w)` accepts `shape`; false for dimensions that do not
    /// fit UInt32.
    public func supports(shape: ImageShape) -> Bool {
        guard let (c, h, w) = Self.narrow(shape) else { return false }
        return descriptor.pointee.supports(c, h, w) != 0
    }

    /// A triggered copy of `pixels`, or nil when the plugin refuses (its reason is dropped:
    /// for reports, where a plugin that does not apply is simply left out).
    public func applied(to pixels: [Float], shape: ImageShape, delta: Double) -> [Float]? {
        var copy = pixels
        return (try? apply(to: &copy, shape: shape, delta: delta)).map { copy }
    }

    /// Adds the trigger of size `delta` to `pixels` (channel-major, `shape.count` values).
    public func apply(to pixels: inout [Float], shape: ImageShape, delta: Double) throws {
        guard let (c, h, w) = Self.narrow(shape), pixels.count == Self.count(shape) else {
            throw TriggerError(plugin: name, message: "\(pixels.count) pixels do not make a \(shape) image")
        }
        // The ABI lets a plugin assume a supported shape, so never hand it another.
        guard descriptor.pointee.supports(c, h, w) != 0 else {
            throw TriggerError(plugin: name, message: "shape \(shape) is not supported")
        }
        var error = [CChar](repeating: 0, count: 512)
        let code = pixels.withUnsafeMutableBufferPointer { image in
            error.withUnsafeMutableBufferPointer { buffer in
                descriptor.pointee.apply(image.baseAddress, c, h, w, delta, buffer.baseAddress, buffer.count - 1)
            }
        }
        guard code == 0 else {
            error[error.count - 1] = 0  // in case the plugin overran its size
            let message = String(cString: error)
            throw TriggerError(plugin: name, message: message.isEmpty ? "no message" : message, code: code)
        }
    }

    /// triggered − original.
    public func perturbation(of pixels: [Float], shape: ImageShape, delta: Double) throws -> [Float] {
        var triggered = pixels
        try apply(to: &triggered, shape: shape, delta: delta)
        return zip(triggered, pixels).map { $0 - $1 }
    }

    /// L2 norm of the perturbation, accumulated in double.
    public func l2Norm(of pixels: [Float], shape: ImageShape, delta: Double) throws -> Double {
        let difference = try perturbation(of: pixels, shape: shape, delta: delta)
        return difference.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// channels*height*width, or nil when it overflows (a caller's mistake, not a trap).
    private static func count(_ shape: ImageShape) -> Int? {
        let (ch, overflow1) = shape.channels.multipliedReportingOverflow(by: shape.height)
        let (all, overflow2) = ch.multipliedReportingOverflow(by: shape.width)
        return overflow1 || overflow2 ? nil : all
    }

    private static func narrow(_ shape: ImageShape) -> (UInt32, UInt32, UInt32)? {
        guard let c = UInt32(exactly: shape.channels), let h = UInt32(exactly: shape.height),
            let w = UInt32(exactly: shape.width)
        else { return nil }
        return (c, h, w)
    }
}
