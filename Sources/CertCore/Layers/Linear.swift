import CertKernels
import Foundation

/// Fully connected layers on up to `Linear.tileWidth` images at once, image-major
/// (x[t·inFeatures + f]), so each model's weights are read once per tile.
///
/// Every image's result is fixed by construction: `CertKernels.HeadKernel` computes each
/// (output, image) pair in one order whatever the number of images and their positions, so a
/// verdict never depends on which other images shared its batch, on the worker count, or on
/// OpenBLAS's kernel; and an image alone costs one image's arithmetic, not a tile's.
public enum Linear {
    /// Images per forward call (the scheduler's tiles), 64: certssbd's default micro-batch,
    /// so each model's head weights (1 MB for the MNIST CNN) stream from memory once per batch
    /// instead of once per 16 images (`images_per_s` +4% on a 2-core EPYC at 32 GB/s). Any
    /// width gives the same bits: the kernels fix each image's arithmetic.
    public static let tileWidth = 64

    /// output[t·outFeatures + o] = W·x_t + b for `images` images; W is the row-major
    /// [outFeatures × inFeatures] weight; `relu` applies max(·, 0) after the bias.
    public static func forward(
        _ input: UnsafePointer<Float>, images: Int, inFeatures: Int, outFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool = false,
        output: UnsafeMutablePointer<Float>
    ) {
        if KernelBuild.current != .portable {
            HeadKernel.productFMA(input, images: images, inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, output: output)
        } else {
            HeadKernel.product(input, images: images, inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, output: output)
        }
        addBias(output, images: images, outFeatures: outFeatures, bias: bias, relu: relu)
    }

    /// `forward` with W stored as little-endian binary16 halves (a fp16 set's map), widened
    /// in registers as the kernel reads them: the same bits as widening W first.
    public static func forward(
        _ input: UnsafePointer<Float>, images: Int, inFeatures: Int, outFeatures: Int,
        halves weight: UnsafeRawPointer, bias: UnsafePointer<Float>?, relu: Bool = false,
        output: UnsafeMutablePointer<Float>
    ) {
        if KernelBuild.current != .portable {
            HeadKernel.productHalvesF16C(
                input, images: images, inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, output: output)
        } else {
            HeadKernel.productHalves(
                input, images: images, inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, output: output)
        }
        addBias(output, images: images, outFeatures: outFeatures, bias: bias, relu: relu)
    }

    private static func addBias(
        _ output: UnsafeMutablePointer<Float>, images: Int, outFeatures: Int, bias: UnsafePointer<Float>?, relu: Bool
    ) {
        for t in 0..<images {
            let row = output + t * outFeatures
            if let bias {
                if relu {
                    for o in 0..<outFeatures { row[o] = max(row[o] + bias[o], 0) }
                } else {
                    for o in 0..<outFeatures { row[o] += bias[o] }
                }
            } else if relu {
                for o in 0..<outFeatures { row[o] = max(row[o], 0) }
            }
        }
    }
}
