import CTriggerABI
import Glibc  // strdup and the C string helpers of the plugin ABI (plugins cannot link CertSystem)

// Linked statically into each plugin library: the plugins share code, not a runtime image.

/// Copies `message` into the host's error buffer, truncated and always NUL-terminated.
public func writeError(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, size: Int) {
    guard let buffer, size > 0 else { return }
    let bytes = Array(message.utf8.prefix(size - 1))
    for (i, byte) in bytes.enumerated() { buffer[i] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
}

/// A C string that lives as long as the process, for the immortal descriptor.
public func immortal(_ text: String) -> UnsafePointer<CChar> {
    UnsafePointer(strdup(text)!)
}

/// The immortal descriptor every plugin returns from `certssb_trigger_entry`. The function
/// pointers are C functions, so each plugin passes closures without captures.
public func makeDescriptor(
    name: String, version: String, description: String,
    supports: @convention(c) (UInt32, UInt32, UInt32) -> Int32,
    apply:
        @convention(c) (
            UnsafeMutablePointer<Float>?, UInt32, UInt32, UInt32, Double,
            UnsafeMutablePointer<CChar>?, Int
        ) -> Int32
) -> UnsafePointer<certssb_trigger_v1> {
    let pointer = UnsafeMutablePointer<certssb_trigger_v1>.allocate(capacity: 1)
    pointer.initialize(
        to: certssb_trigger_v1(
            abi_version: CERTSSB_TRIGGER_ABI_VERSION, name: immortal(name), version: immortal(version),
            description: immortal(description), supports: supports, apply: apply))
    return UnsafePointer(pointer)
}

/// Checks shared by every apply: a non-NULL image, a supported shape, a finite delta ≥ 0.
/// Returns the error code written (nonzero) or 0 when the call may proceed.
public func validateCall(
    _ image: UnsafeMutablePointer<Float>?, _ supported: Bool, shape: String, delta: Double,
    error: UnsafeMutablePointer<CChar>?, size: Int
) -> Int32 {
    guard image != nil else { writeError("image is NULL", to: error, size: size); return 1 }
    guard supported else { writeError("shape \(shape) is unsupported", to: error, size: size); return 2 }
    guard delta.isFinite, delta >= 0 else { writeError("delta must be finite and >= 0, got \(delta)", to: error, size: size); return 3 }
    return 0
}
