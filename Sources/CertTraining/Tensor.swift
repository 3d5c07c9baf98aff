/// A dense float32 tensor for training: NCHW for images, [batch, features] after flatten.
public struct Tensor: Sendable, Equatable {
    /// Dimensions, batch first.
    public var shape: [Int]
    /// The values, row-major over `shape`.
    public var data: [Float]

    /// A tensor over `data`; crashes (precondition) when the sizes disagree.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) { self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *))) }

    /// For outputs that the caller overwrites completely: skips zeroing the memory.
    init(overwriting shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(shape: shape, data: [Float](unsafeUninitializedCapacity: n) { _, count in count = n })
    }

    /// Number of values.
    public var count: Int { data.count }
    /// The first dimension.
    public var batch: Int { shape[0] }
    /// Values per batch item.
    public var itemCount: Int { shape.dropFirst().reduce(1, *) }
}

/// A trainable tensor and its gradient, named as in the architecture's parameter list.
public final class Parameter {
    /// The architecture's name for it (`conv1.weight`).
    public let name: String
    /// Its shape, PyTorch's order.
    public let shape: [Int]
    /// Current values, row-major.
    public var value: [Float]
    /// d(loss)/d(value), accumulated by `backward` until zeroed.
    public var grad: [Float]
    /// Running statistics are state, not trained: the optimiser skips them.
    public let trainable: Bool

    /// A parameter with zero gradient.
    public init(name: String, shape: [Int], value: [Float], trainable: Bool = true) {
        self.name = name; self.shape = shape; self.value = value
        self.grad = [Float](repeating: 0, count: value.count)
        self.trainable = trainable
    }

    func zeroGrad() { for i in grad.indices { grad[i] = 0 } }
}

/// One layer of a trainable network: forward caches what backward needs.
protocol TrainLayer: AnyObject {
    var parameters: [Parameter] { get }
    func forward(_ x: Tensor, training: Bool) -> Tensor
    /// Gradient with respect to the input; accumulates parameter gradients.
    func backward(_ gradOutput: Tensor) -> Tensor
}
