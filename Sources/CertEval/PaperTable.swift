import Foundation

/// The paper's evaluation table (METHOD.md §2.8). Certified at r means R > r (strict).
/// - Cert acc: benign inputs certified at r with their true label, over all benign inputs.
/// - Cert wm acc: watermarked inputs certified at r as the target label, over all of them.
/// - Cond acc: certified-and-correct over certified, benign (0 when nothing is certified).
/// - Cert ratio: benign inputs certified at r, over all benign inputs.
/// The `Expected` rows use the radius without the statistical margin.
public struct PaperTable: Codable, Sendable, Equatable {
    /// 0, 0.25, …, 2.5: the paper's eleven radii.
    public static let paperRadii: [Double] = stride(from: 0.0, through: 2.5, by: 0.25).map { $0 }

    /// The method's name (`RAB`, `Cert-SSB`).
    public var method: String
    /// The radii of the columns.
    public var radii: [Double]
    /// Cert acc per radius, in [0, 1].
    public var certAcc: [Double]
    /// Cert wm acc per radius.
    public var certWmAcc: [Double]
    /// Cond acc per radius.
    public var condAcc: [Double]
    /// Cert ratio per radius.
    public var certRatio: [Double]
    /// Cert acc from `radiusExpected`.
    public var expectedCertAcc: [Double]
    /// Cert wm acc from `radiusExpected`.
    public var expectedCertWmAcc: [Double]
    /// Cond acc from `radiusExpected`.
    public var expectedCondAcc: [Double]
    /// Cert ratio from `radiusExpected`.
    public var expectedCertRatio: [Double]

    // snake_case like the verdicts and the CSV (`eval --json`).
    enum CodingKeys: String, CodingKey {
        case method, radii
        case certAcc = "cert_acc"
        case certWmAcc = "cert_wm_acc"
        case condAcc = "cond_acc"
        case certRatio = "cert_ratio"
        case expectedCertAcc = "expected_cert_acc"
        case expectedCertWmAcc = "expected_cert_wm_acc"
        case expectedCondAcc = "expected_cond_acc"
        case expectedCertRatio = "expected_cert_ratio"
    }

    /// The table of `benign` and `watermarked` records at `radii`.
    public init(method: String, benign: [EvalRecord], watermarked: [EvalRecord], radii: [Double] = PaperTable.paperRadii) {
        self.method = method
        self.radii = radii
        func rows(_ radius: (EvalRecord) -> Double) -> (acc: [Double], wm: [Double], cond: [Double], ratio: [Double]) {
            var acc: [Double] = [], wm: [Double] = [], cond: [Double] = [], ratio: [Double] = []
            for r in radii {
                let certified = benign.filter { radius($0) > r }
                let correct = certified.filter { $0.label == $0.expected }.count
                acc.append(Self.fraction(correct, benign.count))
                ratio.append(Self.fraction(certified.count, benign.count))
                cond.append(Self.fraction(correct, certified.count))
                wm.append(Self.fraction(watermarked.filter { radius($0) > r && $0.label == $0.expected }.count, watermarked.count))
            }
            return (acc, wm, cond, ratio)
        }
        let sound = rows(\.radius), expected = rows(\.radiusExpected)
        certAcc = sound.acc; certWmAcc = sound.wm; condAcc = sound.cond; certRatio = sound.ratio
        expectedCertAcc = expected.acc; expectedCertWmAcc = expected.wm
        expectedCondAcc = expected.cond; expectedCertRatio = expected.ratio
    }

    static func fraction(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    /// The table, line for line as the released eval prints it (values %.5f joined by " / ").
    public func render() -> String {
        func line(_ name: String, _ values: [Double]) -> String {
            "\(name): " + values.map { String(format: "%.5f", $0) }.joined(separator: " / ")
        }
        return [
            "Certified Radius: " + radii.map { Self.radiusText($0) }.joined(separator: " / "),
            line("Cert acc", certAcc),
            line("Cert wm acc", certWmAcc),
            line("Cert acc", certAcc),
            line("Cond acc", condAcc),
            line("Cert ratio", certRatio),
            line("Expected Cert acc", expectedCertAcc),
            line("Expected Cert wm acc", expectedCertWmAcc),
            line("Expected Cond acc", expectedCondAcc),
            line("Expected Cert ratio", expectedCertRatio),
        ].joined(separator: "\n")
    }

    /// Python's repr of the radii: 0.0, 0.25, 1.0, 2.5.
    static func radiusText(_ r: Double) -> String {
        r == r.rounded() ? String(format: "%.1f", r) : String(r)
    }

    /// CSV: one row per radius.
    public func csv() -> String {
        var out =
            "method,radius,cert_acc,cert_wm_acc,cond_acc,cert_ratio,expected_cert_acc,expected_cert_wm_acc,expected_cond_acc,expected_cert_ratio\n"
        for (i, r) in radii.enumerated() {
            let values = [
                certAcc[i], certWmAcc[i], condAcc[i], certRatio[i], expectedCertAcc[i], expectedCertWmAcc[i], expectedCondAcc[i],
                expectedCertRatio[i],
            ]
            out += "\(method),\(r)," + values.map { String(format: "%.5f", $0) }.joined(separator: ",") + "\n"
        }
        return out
    }
}
