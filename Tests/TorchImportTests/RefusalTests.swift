import CertTestSupport
import Foundation
import Testing
import TorchImport

/// Everything that must fail, and fail with a reason a user can act on.
struct RefusalTests {
    static let one = [TensorSpec(name: "w", key: "0", numel: 4, shape: [4], stride: [1])]

    /// Loads `path`, expecting a TorchImportError whose reason contains `fragment`.
    func expectRefusal(_ path: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: TorchImportError.self, sourceLocation: sourceLocation) {
            try TorchCheckpoint.load(path: path)
        }
        guard let error else { return }
        #expect(error.reason.contains(fragment), "reason was: \(error.reason)", sourceLocation: sourceLocation)
        #expect(error.description == "\(path): \(error.reason)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
    }

    func checkpoint(
        pickle: [UInt8], storages: [String: [UInt8]] = ["0": float32Bytes([1, 2, 3, 4])],
        extra: [(String, [UInt8])] = [], in dir: TemporaryDirectory
    ) throws -> String {
        try dir.checkpoint("bad.pt", pickle: pickle, storages: storages, extra: extra)
    }

    @Test func disallowedGlobalIsNamed() throws {
        var p = PickleBuilder()
        p.global("os", "system"); p.unicode("echo pwned"); p.raw(0x85); p.op("R"); p.op(".")
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try checkpoint(pickle: p.bytes, in: dir), "refusing pickle global os.system")
    }

    @Test func disallowedStackGlobalIsNamed() throws {
        var p = PickleBuilder(protocol: 4)
        p.shortUnicode("builtins"); p.shortUnicode("eval"); p.raw(0x93); p.op(".")
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try checkpoint(pickle: p.bytes, in: dir), "builtins.eval")
    }

    @Test func loadFromBytesIsRefusedClearly() throws {
        var p = PickleBuilder()
        p.global("torch.storage", "_load_from_bytes"); p.op(".")
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try checkpoint(pickle: p.bytes, in: dir), "torch.storage._load_from_bytes")
    }

    @Test func unknownOpcodeNamesByteAndOffset() throws {
        var p = PickleBuilder()
        p.op("}"); p.raw(0xFF); p.op(".")
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try checkpoint(pickle: p.bytes, in: dir), "unknown pickle opcode 0xFF at offset 3")
    }

    @Test(arguments: [1, 20, 100, 0.5])
    func truncatedPickle(cut: Double) throws {
        let full = stateDictPickle(Self.one)
        let keep = cut < 1 ? Int(Double(full.count) * cut) : full.count - Int(cut)
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try checkpoint(pickle: Array(full.prefix(keep)), in: dir), "truncated pickle")
    }

    @Test func deeplyNestedValuesDoNotOverflowTheStack() throws {
        // 300k nested TUPLE1s: Swift would free this recursively and crash; the teardown
        // must not. As the root it is refused; inside a state dict it is skipped by name.
        let depth = 300_000
        var root = PickleBuilder()
        root.int(0); root.bytes += [UInt8](repeating: 0x85, count: depth); root.op(".")
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try checkpoint(pickle: root.bytes, in: dir), "not a state dict")

        var inner = PickleBuilder()
        inner.op("}"); inner.unicode("deep")
        inner.op("]"); inner.put(0)
        // A chain of 100k lists built through the memo: push L(k+1), memoize, append it to
        // L(k), pop L(k), fetch L(k+1).
        for _ in 0..<depth / 3 { inner.op("]"); inner.put(1); inner.op("a"); inner.op("0"); inner.get(1) }
        inner.int(0); inner.bytes += [UInt8](repeating: 0x85, count: depth); inner.op("a")
        inner.op("0"); inner.get(0)
        inner.get(0); inner.op("a")  // and a cycle: L0 contains itself
        inner.op("s"); inner.op(".")
        let path = try dir.checkpoint("deep.pt", pickle: inner.bytes, storages: [:])
        let checkpoint = try TorchCheckpoint.load(path: path)
        #expect(checkpoint.tensors.isEmpty)
        #expect(checkpoint.skipped == ["deep"])
    }

    @Test func missingStorageEntry() throws {
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(
            try checkpoint(pickle: stateDictPickle(Self.one), storages: [:], in: dir),
            "missing storage entry archive/data/0")
    }

    @Test func viewBeyondStorage() throws {
        let spec = [TensorSpec(name: "w", key: "0", numel: 4, offset: 2, shape: [2, 2], stride: [2, 1])]
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try checkpoint(pickle: stateDictPickle(spec), in: dir), "tensor w: view")
    }

    @Test func storageShorterThanItsNumel() throws {
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(
            try checkpoint(pickle: stateDictPickle(Self.one), storages: ["0": float32Bytes([1, 2])], in: dir),
            "holds 8 bytes, fewer than the 16")
    }

    @Test func bigEndianCheckpoint() throws {
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(
            try checkpoint(
                pickle: stateDictPickle(Self.one), extra: [("archive/byteorder", Array("big".utf8))],
                in: dir), "big-endian")
    }

    @Test func zipWithoutDataPickle() throws {
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try dir.zip("x.zip", [("readme.txt", Array("hi".utf8))]), "no <dir>/data.pkl")
    }

    @Test func notAZip() throws {
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try dir.write("x.model", Array("certainly not a checkpoint\n".utf8)), "not a zip archive")
    }

    @Test func emptyFile() throws {
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(try dir.write("empty.model", []), "empty file")
    }

    @Test func missingFile() throws {
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(dir.file("absent.model"), "no such file")
    }

    @Test func legacyTorchFile() throws {
        // What torch < 1.6 (or _use_new_zipfile_serialization=False) writes first: the magic number.
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        let dir = try TemporaryDirectory("torchimport")
        expectRefusal(
            try dir.write("old.pt", magic),
            "legacy torch serialization is not supported; re-save with torch>=1.6")
    }

    @Test func truncatedZip() throws {
        let dir = try TemporaryDirectory("torchimport")
        let good = try checkpoint(pickle: stateDictPickle(Self.one), in: dir)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
        expectRefusal(try dir.write("cut.pt", Array(bytes.prefix(bytes.count - 30))), "zip")
    }

    @Test func corruptStorageFailsCRC() throws {
        let dir = try TemporaryDirectory("torchimport")
        let good = try checkpoint(pickle: stateDictPickle(Self.one), storages: ["0": float32Bytes([1, 2, 3, 4])], in: dir)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
        // Flip a byte inside the storage payload (the float 3.0 = 00 00 40 40).
        let needle: [UInt8] = [0, 0, 0x40, 0x40]
        let at = try #require((0..<bytes.count - 4).first { Array(bytes[$0..<$0 + 4]) == needle })
        bytes[at + 3] ^= 0x01
        expectRefusal(try dir.write("crc.pt", bytes), "CRC-32")
    }
}
