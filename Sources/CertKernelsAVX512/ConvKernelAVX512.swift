import CertKernels

/// `CertKernels.ConvKernel.product` with 16 lanes, built for Skylake-AVX512 (this module
/// alone; Package.swift). The same operations per output as every other build, so the same
/// bits; twice AVX2's arithmetic per instruction where the CPU has 512-bit units.
public enum ConvKernelAVX512 {
    /// Y = W·X (see `ConvKernel.product`). Call it only where the CPU has AVX-512 F, CD, BW,
    /// DQ and VL.
    @inline(never)
    public static func product(
        weight: UnsafePointer<Float>, columns: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        channels: Int, depth: Int, pixels: Int
    ) {
        ConvKernel.product(
            SIMD16<Float>.self, weight: weight, columns: columns, output: output, channels: channels, depth: depth, pixels: pixels)
    }
}
