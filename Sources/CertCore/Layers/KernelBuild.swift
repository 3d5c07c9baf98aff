import Foundation

/// Which build of the engine's own kernels runs (`CertKernels`): every build computes each
/// output by the same operations in the same order, so all give the same bits; they differ
/// only in speed. The fastest the CPU can run is chosen at start; `CERTSSB_KERNELS` (the raw
/// value of a case) asks for a slower one, to compare; tests set `current` directly.
public enum KernelBuild: String, Sendable, CaseIterable {
    /// Baseline x86-64: every fused multiply-add a libm call. Correct everywhere, slow.
    case portable
    /// AVX2 + FMA + F16C, 8 lanes (`CertKernels`).
    case avx2
    /// AVX-512 convolutions, 16 lanes (`CertKernelsAVX512`); the other kernels as `avx2`.
    case avx512

    /// The builds this CPU can run, slowest first.
    public static var available: [KernelBuild] {
        [.portable] + (CPUFeatures.haswellInstructions ? [.avx2] : []) + (CPUFeatures.avx512Instructions ? [.avx512] : [])
    }

    /// The build that runs: the fastest available, or `CERTSSB_KERNELS` if it names an
    /// available one.
    nonisolated(unsafe) public static var current: KernelBuild = {
        let asked = ProcessInfo.processInfo.environment["CERTSSB_KERNELS"].flatMap(KernelBuild.init(rawValue:))
        return asked.flatMap { available.contains($0) ? $0 : nil } ?? available.last!
    }()
}
