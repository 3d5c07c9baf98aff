import CertTestSupport
import Foundation
import Testing
import TorchImport

/// Tiny checkpoints built in the test: hand-written pickles inside zips made with ZIPFoundation.
struct SyntheticCheckpointTests {
    @Test func sharedStorageViaMemoAndStridedViewWithOffset() throws {
        // One storage of 0..<20 read by three tensors: a contiguous slice at offset 2, a
        // transposed [2,3] view at offset 3, and a 0-stride broadcast.
        let storage = float32Bytes((0..<20).map(Float.init))
        let pickle = stateDictPickle([
            TensorSpec(name: "slice", key: "0", numel: 20, offset: 2, shape: [2, 2], stride: [2, 1]),
            TensorSpec(name: "transposed", key: "0", numel: 20, offset: 3, shape: [2, 3], stride: [1, 2]),
            TensorSpec(name: "broadcast", key: "0", numel: 20, offset: 19, shape: [3], stride: [0]),
            TensorSpec(name: "inner.strided", key: "0", numel: 20, offset: 1, shape: [2, 2, 2], stride: [10, 4, 2]),
        ])
        let dir = try TemporaryDirectory("torchimport")
        let checkpoint = try TorchCheckpoint.load(path: try dir.checkpoint("m.pt", pickle: pickle, storages: ["0": storage]))
        #expect(checkpoint.tensors.map(\.name) == ["slice", "transposed", "broadcast", "inner.strided"])
        #expect(checkpoint["slice"]?.values == [2, 3, 4, 5])
        #expect(checkpoint["transposed"]?.shape == [2, 3])
        #expect(checkpoint["transposed"]?.values == [3, 5, 7, 4, 6, 8])  // element (i,j) = 3 + i + 2j
        #expect(checkpoint["broadcast"]?.values == [19, 19, 19])
        #expect(checkpoint["inner.strided"]?.values == [1, 3, 5, 7, 11, 13, 15, 17])
    }

    @Test func float16StorageIsConvertedExactly() throws {
        // 1, -2.5, 65504 (max half), smallest subnormal 2^-24, -0, +inf
        let halves: [UInt16] = [0x3C00, 0xC100, 0x7BFF, 0x0001, 0x8000, 0x7C00]
        let pickle = stateDictPickle([
            TensorSpec(name: "h", storageType: "HalfStorage", key: "7", numel: 6, shape: [6], stride: [1])
        ])
        let dir = try TemporaryDirectory("torchimport")
        let checkpoint = try TorchCheckpoint.load(
            path: try dir.checkpoint("h.pt", pickle: pickle, storages: ["7": uint16Bytes(halves)]))
        let values = try #require(checkpoint["h"]?.values)
        #expect(Array(values.prefix(4)) == [1, -2.5, 65504, 0x1p-24])
        #expect(values[4] == 0 && values[4].sign == .minus)
        #expect(values[5] == .infinity)
    }

    @Test func float64AndBFloat16StoragesAreConverted() throws {
        let doubles: [Double] = [1.5, -0.1, 1e-3, 3.0e38]
        let bfloats: [UInt16] = [0x3F80, 0xC020, 0x4049]  // 1, -2.5, 3.140625
        let pickle = stateDictPickle([
            TensorSpec(name: "d", storageType: "DoubleStorage", key: "a", numel: 4, offset: 1, shape: [3], stride: [1]),
            TensorSpec(name: "b", storageType: "BFloat16Storage", key: "b", numel: 3, shape: [3], stride: [1]),
        ])
        let dir = try TemporaryDirectory("torchimport")
        let checkpoint = try TorchCheckpoint.load(
            path: try dir.checkpoint(
                "d.pt", pickle: pickle, storages: ["a": float64Bytes(doubles), "b": uint16Bytes(bfloats)]))
        #expect(checkpoint["d"]?.values == doubles.dropFirst().map { Float($0) })
        #expect(checkpoint["b"]?.values == [1, -2.5, 3.140625])
    }

    @Test func integerBuffersAreSkippedByName() throws {
        let pickle = stateDictPickle([
            TensorSpec(name: "bn.weight", key: "w", numel: 2, shape: [2], stride: [1]),
            TensorSpec(name: "bn.num_batches_tracked", storageType: "LongStorage", key: "n", numel: 1, shape: [], stride: []),
            TensorSpec(name: "mask", storageType: "BoolStorage", key: "m", numel: 2, shape: [2], stride: [1]),
        ])
        let dir = try TemporaryDirectory("torchimport")
        let checkpoint = try TorchCheckpoint.load(
            path: try dir.checkpoint(
                "bn.pt", pickle: pickle,
                storages: [
                    "w": float32Bytes([0.5, 2]), "n": int64Bytes([1234]), "m": [1, 0],
                ]))
        #expect(checkpoint.tensors.map(\.name) == ["bn.weight"])
        #expect(checkpoint.skipped == ["bn.num_batches_tracked", "mask"])
    }

    @Test func scalarTensorParametersAndOtherPrefix() throws {
        // A 0-d tensor wrapped in _rebuild_parameter, under a prefix that is not "archive",
        // with a byteorder entry and deflated entries (torch stores, but zip allows both).
        let pickle = stateDictPickle(
            [
                TensorSpec(name: "scale", key: "s", numel: 1, shape: [], stride: [])
            ], asParameters: true)
        let dir = try TemporaryDirectory("torchimport")
        let path = try dir.checkpoint(
            "p.pt", pickle: pickle, storages: ["s": float32Bytes([0.25])],
            prefix: "my_model", extra: [("my_model/byteorder", Array("little".utf8))],
            compression: .deflate)
        let checkpoint = try TorchCheckpoint.load(path: path)
        #expect(checkpoint["scale"]?.shape == [])
        #expect(checkpoint["scale"]?.values == [0.25])
    }
}
