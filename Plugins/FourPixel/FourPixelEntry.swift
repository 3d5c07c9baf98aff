import CTriggerABI
import Glibc  // maths
import TriggerPluginSupport

// The fourpixel trigger (METHOD.md §2.2): four pixels, every channel raised by d/sqrt(4C), clipped at 1.

private let table: [ReferenceRow] = [
    ReferenceRow(size: 28, pixels: [(18, 20), (19, 19), (20, 18), (20, 20)]),
    ReferenceRow(size: 32, pixels: [(14, 16), (15, 15), (16, 14), (16, 16)]),
    ReferenceRow(size: 224, pixels: [(112, 112), (111, 113), (113, 111), (113, 113)]),
]

// Made once when the library loads and only read afterwards (a C pointer cannot be Sendable).
nonisolated(unsafe) private let descriptor = makeDescriptor(
    name: "fourpixel", version: "1.0.0",
    description:
        "four pixels, every channel +d/sqrt(4C), clip at 1; exact at 28x28, 32x32, 224x224 (METHOD.md §2.2); other HxW >= 3x3: pixels scaled from the nearest size, round(r*H/ref)",
    supports: { supportsShape($0, $1, $2) ? 1 : 0 },
    apply: { image, c, h, w, delta, error, size in
        applyPixelTrigger(table, perChannelShare: 4, image, c, h, w, delta, error, size)
    })

@_cdecl("certssb_trigger_entry")
public func certssbTriggerEntry() -> UnsafePointer<certssb_trigger_v1> { descriptor }
