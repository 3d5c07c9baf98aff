import CTriggerABI
import Glibc  // maths
import TriggerPluginSupport

// The onepixel trigger (METHOD.md §2.2): one pixel, every channel raised by d/sqrt(C), clipped at 1.

private let table: [ReferenceRow] = [
    ReferenceRow(size: 28, pixels: [(23, 23)]),
    ReferenceRow(size: 32, pixels: [(15, 15)]),
    ReferenceRow(size: 224, pixels: [(112, 112)]),
]

// Made once when the library loads and only read afterwards (a C pointer cannot be Sendable).
nonisolated(unsafe) private let descriptor = makeDescriptor(
    name: "onepixel", version: "1.0.0",
    description:
        "one pixel, every channel +d/sqrt(C), clip at 1; exact at 28x28 (23,23), 32x32 (15,15), 224x224 (112,112); other HxW >= 3x3: pixel scaled from the nearest size, round(r*H/ref)",
    supports: { supportsShape($0, $1, $2) ? 1 : 0 },
    apply: { image, c, h, w, delta, error, size in
        applyPixelTrigger(table, perChannelShare: 1, image, c, h, w, delta, error, size)
    })

@_cdecl("certssb_trigger_entry")
public func certssbTriggerEntry() -> UnsafePointer<certssb_trigger_v1> { descriptor }
