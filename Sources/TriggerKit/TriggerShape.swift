/// channels x height x width of a channel-major float32 image.
public typealias TriggerShape = (channels: Int, height: Int, width: Int)

/// The three shapes of the paper's tasks (METHOD.md §2.1): MNIST, CIFAR-10, dogs vs cats.
public let standardShapes: [TriggerShape] = [(1, 28, 28), (3, 32, 32), (3, 224, 224)]

/// "1x28x28".
public func describeShape(_ shape: TriggerShape) -> String { "\(shape.channels)x\(shape.height)x\(shape.width)" }

/// Parses "1x28x28" (positive integers); nil when malformed.
public func parseShape(_ text: String) -> TriggerShape? {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], c > 0, h > 0, w > 0 else { return nil }
    return (c, h, w)
}
