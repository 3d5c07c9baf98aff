/// One certified input as the evaluation sees it.
public struct EvalRecord: Codable, Sendable, Equatable {
    public var label: Int
    /// The label it should get: the true label (benign) or the target (watermarked).
    public var expected: Int
    public var radius: Double
    public var radiusExpected: Double
    public var sigma: Double

    public init(label: Int, expected: Int, radius: Double, radiusExpected: Double, sigma: Double) {
        self.label = label; self.expected = expected; self.radius = radius; self.radiusExpected = radiusExpected; self.sigma = sigma
    }
}
