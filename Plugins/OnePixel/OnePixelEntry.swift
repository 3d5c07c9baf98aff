import CTriggerABI
import Glibc

// The onepixel trigger (DESIGN 2.2): one pixel, every channel raised by d/sqrt(C), clipped at 1.

private let table: [ReferenceRow] = [
    ReferenceRow(size: 28, pixels: [(23, 23)]),
    ReferenceRow(size: 32, pixels: [(15, 15)]),
    ReferenceRow(size: 224, pixels: [(112, 112)]),
]

private func supports(_ channels: UInt32, _ height: UInt32, _ width: UInt32) -> Int32 {
    supportsShape(channels, height, width) ? 1 : 0
}

private func apply(_ image: UnsafeMutablePointer<Float>?, _ channels: UInt32, _ height: UInt32, _ width: UInt32,
                   _ delta: Double, _ error: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> Int32 {
    guard let image else { writeError("image is NULL", to: error, size: errorSize); return 1 }
    guard supportsShape(channels, height, width) else {
        writeError("shape \(channels)x\(height)x\(width) is unsupported (need C >= 1, H and W >= \(minimumSide))",
                   to: error, size: errorSize)
        return 2
    }
    guard delta.isFinite, delta >= 0 else {
        writeError("delta must be finite and >= 0, got \(delta)", to: error, size: errorSize); return 3
    }
    let (c, h, w) = (Int(channels), Int(height), Int(width))
    // Per-channel size keeps the L2 norm at delta when nothing clips.
    addClipped(image, channels: c, height: h, width: w, pixels: pixels(in: table, height: h, width: w),
               amount: delta / sqrt(Double(1 * c)))
    return 0
}

private let descriptor: UnsafePointer<certssb_trigger_v1> = {
    let pointer = UnsafeMutablePointer<certssb_trigger_v1>.allocate(capacity: 1)
    pointer.initialize(to: certssb_trigger_v1(
        abi_version: CERTSSB_TRIGGER_ABI_VERSION,
        name: immortal("onepixel"),
        version: immortal("1.0.0"),
        description: immortal("one pixel, every channel +d/sqrt(C), clip at 1; exact at 28x28 (23,23), 32x32 (15,15), 224x224 (112,112); other HxW >= 3x3: pixel scaled from the nearest size, round(r*H/ref)"),
        supports: { supports($0, $1, $2) },
        apply: { apply($0, $1, $2, $3, $4, $5, $6) }))
    return UnsafePointer(pointer)
}()

@_cdecl("certssb_trigger_entry")
public func certssbTriggerEntry() -> UnsafePointer<certssb_trigger_v1> { descriptor }
