/// One floating tensor of a state dict, row-major contiguous, converted to Float32.
public struct TorchTensor: Sendable {
    /// The state-dict key (`conv1.weight`).
    public let name: String
    /// The tensor's shape.
    public let shape: [Int]
    /// Its values, widened or narrowed to float32, row-major.
    public let values: [Float]

    /// A tensor from its parts.
    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// A PyTorch (>= 1.6, zip format) state-dict checkpoint, read without Python.
public struct TorchCheckpoint: Sendable {
    /// Floating tensors in state-dict order.
    public let tensors: [TorchTensor]
    /// Entries that are not floating tensors (integer/bool buffers such as BatchNorm's
    /// num_batches_tracked, or non-tensor values): named so callers can decide, not dropped silently.
    public let skipped: [String]

    /// A checkpoint from its parts.
    public init(tensors: [TorchTensor], skipped: [String]) {
        self.tensors = tensors
        self.skipped = skipped
    }

    /// The most float32 values a checkpoint may expand to, over all its tensors (2^28, 1 GiB;
    /// resnet18 has 11.7 million). Views may share a storage or repeat it (stride 0), so a small
    /// file can describe any number of values: each view's count is checked against what is
    /// left before it is gathered.
    public static let maximumElements = 1 << 28

    /// The floating tensor called `name`, if any.
    public subscript(name: String) -> TorchTensor? {
        tensors.first { $0.name == name }
    }

    /// Reads `path`; every failure is a `TorchImportError` naming the file. The tensors may hold
    /// `maximumElements` values in all (a test lowers it).
    public static func load(path: String, maximumElements: Int = maximumElements) throws -> TorchCheckpoint {
        do {
            let layout = try TorchArchiveLayout(zip: try ZipArchiveReader(path: path))
            var unpickler = Unpickler(bytes: try layout.pickleBytes())
            defer { unpickler.dismantle() }
            return try TorchStateDictBuilder(layout: layout, maximumElements: maximumElements).build(try unpickler.load())
        } catch let failure as ImportFailure {
            throw TorchImportError(path: path, reason: failure.reason)
        } catch let error as TorchImportError {
            throw error
        } catch {
            throw TorchImportError(path: path, reason: "\(error)")
        }
    }
}
