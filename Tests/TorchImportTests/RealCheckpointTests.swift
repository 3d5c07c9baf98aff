import CertTestSupport
import Foundation
import Testing
import TorchImport

/// The authors' 16 released MNIST checkpoints (read from ../shared, never copied here).
@Suite(.enabled(if: SharedData.available, SharedData.skipReason))
struct RealCheckpointTests {
    static let expected: [(name: String, shape: [Int])] = [
        ("conv1.weight", [16, 1, 5, 5]), ("conv1.bias", [16]),
        ("conv2.weight", [32, 16, 5, 5]), ("conv2.bias", [32]),
        ("fc.weight", [512, 512]), ("fc.bias", [512]),
        ("output.weight", [1, 512]), ("output.bias", [1]),
    ]

    @Test(arguments: 0..<16)
    func loadsWithExactNamesShapesAndParameterCount(k: Int) throws {
        let checkpoint = try TorchCheckpoint.load(path: SharedData.checkpoint(k))
        #expect(checkpoint.tensors.map(\.name) == Self.expected.map(\.name))
        #expect(checkpoint.tensors.map(\.shape) == Self.expected.map(\.shape))
        #expect(checkpoint.skipped.isEmpty)
        for tensor in checkpoint.tensors {
            #expect(tensor.values.count == tensor.shape.reduce(1, *))
            let finite = tensor.values.allSatisfy { $0.isFinite }
            #expect(finite, "\(tensor.name) has non-finite values")
        }
        #expect(checkpoint.tensors.map(\.values.count).reduce(0, +) == 276_417)
    }

    @Test func conv1BiasOfModel0MatchesBytesReadWithPython() throws {
        // Produced on 2025-11 with:
        //   python3 -c "import zipfile,struct; z=zipfile.ZipFile('smoothed_0.model');
        //     b=z.read('archive/data/98287472');
        //     print([hex(struct.unpack('<I',b[4*i:4*i+4])[0]) for i in (0,1,2,3,15)])"
        // (archive/data/98287472 is conv1.bias's storage per data.pkl; floats are
        // -0.156312957406044, -0.16094353795051575, -0.03822074085474014,
        // -0.1280325949192047, 0.09713809192180634.)
        let expectedBits: [(index: Int, bits: UInt32)] = [
            (0, 0xbe20_1081), (1, 0xbe24_ce62), (2, 0xbd1c_8d5a), (3, 0xbe03_1afa), (15, 0x3dc6_f056),
        ]
        let checkpoint = try TorchCheckpoint.load(path: SharedData.checkpoint(0))
        let bias = try #require(checkpoint["conv1.bias"])
        for (index, bits) in expectedBits {
            #expect(bias.values[index].bitPattern == bits, "conv1.bias[\(index)]")
        }
        #expect(checkpoint["no.such.tensor"] == nil)
    }

    @Test func allSixteenLoadQuickly() throws {
        let clock = ContinuousClock()
        var total = 0
        let elapsed = try clock.measure {
            for k in 0..<16 { total += try TorchCheckpoint.load(path: SharedData.checkpoint(k)).tensors.count }
        }
        print("TorchImport: loaded 16 checkpoints in \(elapsed)")
        #expect(total == 16 * 8)
        // Generous bound for a debug build on a shared 2-core machine; release is far faster.
        #expect(elapsed < .seconds(5))
    }

    @Test func truncatedRealCheckpointIsRefused() throws {
        let dir = try TemporaryDirectory("torchimport")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedData.checkpoint(0))))
        let path = try dir.write("cut.model", Array(bytes.prefix(bytes.count / 2)))
        let error = #expect(throws: TorchImportError.self) { try TorchCheckpoint.load(path: path) }
        #expect(error?.reason.contains("zip") == true, "\(error.map { "\($0)" } ?? "")")
    }
}
