import CTriggerABI
import TriggerPluginSupport

// The blending trigger: x + d * P/||P||, no clip, for any shape (METHOD.md §2.2).

/// Any non-empty shape whose pixel count fits an Int32, so the count cannot overflow.
private func supports(_ channels: UInt32, _ height: UInt32, _ width: UInt32) -> Int32 {
    channels > 0 && height > 0 && width > 0
        && UInt64(channels) * UInt64(height) * UInt64(width) <= UInt64(Int32.max) ? 1 : 0
}

private func apply(
    _ image: UnsafeMutablePointer<Float>?, _ channels: UInt32, _ height: UInt32, _ width: UInt32,
    _ delta: Double, _ error: UnsafeMutablePointer<CChar>?, _ errorSize: Int
) -> Int32 {
    let code = validateCall(
        image, supports(channels, height, width) == 1, shape: "\(channels)x\(height)x\(width) (empty or too large)",
        delta: delta, error: error, size: errorSize)
    guard code == 0, let image else { return code }
    let unit = BlendingPattern.unit(.init(channels: Int(channels), height: Int(height), width: Int(width)))
    // float32 arithmetic throughout, as numpy does with a float32 pattern and a Python delta.
    let size = Float(delta)
    for i in unit.indices { image[i] += unit[i] * size }
    return 0
}

// Made once when the library loads and only read afterwards (a C pointer cannot be Sendable).
nonisolated(unsafe) private let descriptor = makeDescriptor(
    name: "blending", version: "1.0.0",
    description: "adds d * P/||P||, P = float32(numpy RandomState(0).randn(C,H,W)), no clip; any shape with fewer than 2^31 values",
    supports: { supports($0, $1, $2) },
    apply: { apply($0, $1, $2, $3, $4, $5, $6) })

@_cdecl("certssb_trigger_entry")
public func certssbTriggerEntry() -> UnsafePointer<certssb_trigger_v1> { descriptor }

/// Diagnostic, not part of the ABI: the float32 norm of the raw randn draw for a shape, so
/// tests can compare it with the reference's raw_norm_float32.
@_cdecl("certssb_blending_raw_norm")
public func certssbBlendingRawNorm(_ channels: UInt32, _ height: UInt32, _ width: UInt32) -> Float {
    BlendingPattern.float32Norm(BlendingPattern.rawPattern(.init(channels: Int(channels), height: Int(height), width: Int(width))))
}
