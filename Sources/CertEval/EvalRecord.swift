/// One certified input as the evaluation sees it.
public struct EvalRecord: Codable, Sendable, Equatable {
    /// The label the verdict gave.
    public var label: Int
    /// The label it should get: the true label (benign) or the target (watermarked).
    public var expected: Int
    /// The certified radius (R > r counts at radius r).
    public var radius: Double
    /// The radius without the statistical margin (the `Expected` rows).
    public var radiusExpected: Double
    /// The sigma the input was certified at.
    public var sigma: Double

    /// A record from its fields.
    public init(label: Int, expected: Int, radius: Double, radiusExpected: Double, sigma: Double) {
        self.label = label; self.expected = expected; self.radius = radius; self.radiusExpected = radiusExpected; self.sigma = sigma
    }
}
