import CertTestSupport
import Foundation
import Testing
import TorchImport

/// A checkpoint's values are bounded however its views are drawn: stride 0 repeats a storage's
/// elements, so 16 bytes of storage can describe 2^30 values (4 GiB as float32), or any number, and many views
/// of one storage multiply it. Each view is checked against what is left of
/// `TorchCheckpoint.maximumElements` before it is gathered (docs/FUZZING.md, "Limits").
@Suite struct ExpansionLimitTests {
    func load(_ tensors: [TensorSpec], limit: Int = TorchCheckpoint.maximumElements) throws -> Result<TorchCheckpoint, TorchImportError> {
        let dir = try TemporaryDirectory("torch-expansion")
        let path = try dir.checkpoint(
            "expand.pt", pickle: stateDictPickle(tensors), storages: ["0": float32Bytes([1, 2, 3, 4])])
        return Result { try TorchCheckpoint.load(path: path, maximumElements: limit) }.mapError { $0 as! TorchImportError }
    }

    @Test func aStrideZeroViewOfTwoToTheThirtyIsRefusedBeforeAllocating() throws {
        let huge = TensorSpec(name: "w", key: "0", numel: 4, shape: [1 << 30], stride: [0])
        guard case .failure(let error) = try load([huge]) else { Issue.record("loaded"); return }
        #expect(error.reason.contains("holds 1073741824 values, more than the 268435456 left"), "\(error.reason)")
    }

    @Test func theLimitCoversTheWholeCheckpoint() throws {
        // At a limit of 100, stride-0 views of 60 and 40 values fill it exactly; one more is too many.
        let fits = try load(
            [
                TensorSpec(name: "a", key: "0", numel: 4, shape: [60], stride: [0]),
                TensorSpec(name: "b", key: "0", numel: 4, shape: [4, 10], stride: [1, 0]),
            ], limit: 100)
        #expect((try? fits.get())?.tensors.map(\.values.count) == [60, 40])
        let over = try load(
            [
                TensorSpec(name: "a", key: "0", numel: 4, shape: [60], stride: [0]),
                TensorSpec(name: "b", key: "0", numel: 4, shape: [4, 10], stride: [1, 0]),
                TensorSpec(name: "c", key: "0", numel: 4, shape: [1], stride: [1]),
            ], limit: 100)
        guard case .failure(let error) = over else { Issue.record("loaded"); return }
        #expect(error.reason.contains("tensor c: view of size [1] holds 1 values, more than the 0 left"), "\(error.reason)")
    }
}
