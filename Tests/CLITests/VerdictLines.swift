import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A verdict line as CONTRACTS.md §3 names its fields. Every field is required: decoding fails,
/// naming the key, when one is missing or has the wrong JSON type.
struct VerdictLine: Decodable {
    struct Region: Decodable {
        var status: String
        var conflict: String?
    }

    struct SigmaSearch: Decodable {
        var rule: String
        var sigma: Double
        var label: Int?
        var stop: String?
        var model_runs: Int
        var models: Int
    }

    struct Trigger: Decodable {
        var name: String
        var l2: Double
        var covered: Bool
        var label: Int
    }

    var sha256: String
    var model_set: String
    var label: Int
    var certified: Bool
    var abstained: Bool
    var radius: Double
    var radius_expected: Double
    var margin: Double
    var sigma: Double
    var sigma0: Double
    var p_a: Double
    var p_b: Double
    var p_a_lower: Double
    var p_b_upper: Double
    var scores: [Double]
    var votes: [Int]
    var n_models: Int
    var alpha: Double
    var bound_alpha: Double
    var fallback: Bool
    var sigma_search: SigmaSearch
    var bound: String
    var mode: String
    var region: Region
    var triggers: [Trigger]
    var source: String
    var created_at: String

    /// The numbers that matter, for failure messages.
    var brief: String {
        "\((source as NSString).lastPathComponent): label \(label) certified \(certified) bound \(bound) mode \(mode) "
            + "p_a \(p_a) p_b \(p_b) p_a_lower \(p_a_lower) p_b_upper \(p_b_upper) margin \(margin) radius \(radius) sigma \(sigma)"
    }

    static func decode(_ line: String) throws -> VerdictLine {
        try JSONDecoder().decode(VerdictLine.self, from: Data(line.utf8))
    }
}

/// The line printed on stdout in place of a verdict for a file that could not be read.
struct ErrorLine: Decodable {
    var error: String
    var source: String
}

/// Statistics recomputed in the test, independently of CertMath.
enum ReferenceMath {
    static func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Standard normal quantile: Acklam's rational approximation refined by two Halley steps
    /// (about 1e-15 relative); the upper half by symmetry so no precision is lost near 1.
    static func phiInverse(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        if p > 0.5 { return -phiInverse(1 - p) }
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x =
                (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5, r = q * q
            x =
                (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0..<2 {
            let e = phi(x) - p
            let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }

    /// Hoeffding margin of METHOD.md §2.4.
    static func hoeffding(n: Int, alpha: Double) -> Double { (log(1 / alpha) / (2 * Double(n))).squareRoot() }

    static func clamp(_ p: Double) -> Double { min(max(p, 1e-8), 1 - 1e-8) }
}

@Suite("CLI: reference math of the test itself")
struct ReferenceMathTests {
    @Test("PhiInv and the Hoeffding margin reproduce the checks of METHOD.md §2.4")
    func designChecks() {
        #expect(abs(ReferenceMath.phiInverse(0.98) - 2.0537489) < 1e-7)
        let h = ReferenceMath.hoeffding(n: 1000, alpha: 0.001)
        #expect(abs(h - 0.0587697) < 1e-7)
        #expect(abs(ReferenceMath.phiInverse(1 - h) - 1.5651856) < 1e-7)
        for p in [1e-8, 1e-5, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-8] {
            #expect(abs(ReferenceMath.phi(ReferenceMath.phiInverse(p)) - p) <= 1e-14 * max(p, 1e-8) + 1e-16, "p = \(p)")
        }
    }
}

/// Checks that hold for every verdict line whatever the bound and mode.
func expectCoherent(
    _ v: VerdictLine, sha256: String?, nModels: Int = 12, alpha: Double = 0.001,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let ctx = Comment(rawValue: v.brief)
    if let sha256 { #expect(v.sha256 == sha256, ctx, sourceLocation: sourceLocation) }
    #expect(v.sha256.count == 64 && v.sha256.allSatisfy(\.isHexDigit), ctx, sourceLocation: sourceLocation)
    #expect(v.model_set.count >= 8, ctx, sourceLocation: sourceLocation)
    #expect(v.n_models == nModels, ctx, sourceLocation: sourceLocation)
    #expect(v.alpha == alpha, ctx, sourceLocation: sourceLocation)
    #expect(v.label == 0 || v.label == 1, ctx, sourceLocation: sourceLocation)
    #expect(v.sigma0 == 0.12, ctx, sourceLocation: sourceLocation)
    #expect(v.sigma >= v.sigma0 && v.sigma.isFinite, ctx, sourceLocation: sourceLocation)
    #expect((0...1).contains(v.p_a) && (0...1).contains(v.p_b), ctx, sourceLocation: sourceLocation)
    // The label is the search models' (fixed at sigma0); the certifying models may not
    // support it, and then the verdict abstains.
    #expect(v.abstained == !v.certified && (v.abstained || v.p_a > v.p_b), ctx, sourceLocation: sourceLocation)
    #expect(v.sigma_search.label == v.label && v.votes.reduce(0, +) == v.n_models, ctx, sourceLocation: sourceLocation)
    #expect(v.bound_alpha == alpha || v.bound_alpha == alpha / 2, ctx, sourceLocation: sourceLocation)
    #expect(v.fallback == (v.sigma != v.sigma_search.sigma), ctx, sourceLocation: sourceLocation)
    #expect(v.p_a_lower >= 1e-8 && v.p_a_lower <= v.p_a + 1e-15, ctx, sourceLocation: sourceLocation)
    #expect(v.p_b_upper <= 1 - 1e-8 && v.p_b_upper >= v.p_b - 1e-15, ctx, sourceLocation: sourceLocation)
    #expect(abs(v.radius - v.sigma * v.margin) <= 1e-12, ctx, sourceLocation: sourceLocation)
    let margin = 0.5 * (ReferenceMath.phiInverse(v.p_a_lower) - ReferenceMath.phiInverse(v.p_b_upper))
    #expect(
        abs(v.margin - margin) <= 1e-9, "margin \(v.margin) vs 0.5*(PhiInv(p_a_lower)-PhiInv(p_b_upper)) = \(margin); \(ctx)",
        sourceLocation: sourceLocation)
    #expect(v.certified == (v.radius > 0), ctx, sourceLocation: sourceLocation)
    #expect(v.radius_expected.isFinite, ctx, sourceLocation: sourceLocation)
    #expect(v.mode == "sound" || v.mode == "released", ctx, sourceLocation: sourceLocation)
    #expect(["stored", "trimmed", "aligned", "unstored"].contains(v.region.status), ctx, sourceLocation: sourceLocation)
    for t in v.triggers {
        #expect(!t.name.isEmpty && t.l2 >= 0 && t.covered == (v.radius > t.l2), ctx, sourceLocation: sourceLocation)
    }
    let iso = ISO8601DateFormatter()
    #expect(iso.date(from: v.created_at) != nil, "created_at '\(v.created_at)' is not ISO 8601; \(ctx)", sourceLocation: sourceLocation)
}

extension RunResult {
    /// stdout decoded as verdict lines; a line that does not decode is recorded as an issue.
    func verdicts(sourceLocation: SourceLocation = #_sourceLocation) -> [VerdictLine] {
        stdoutLines.compactMap { line in
            do { return try VerdictLine.decode(line) } catch {
                Issue.record("not a complete verdict line (\(error)): \(line)", sourceLocation: sourceLocation)
                return nil
            }
        }
    }

    /// stdout with every `"created_at":"…"` field removed, bytes otherwise untouched.
    var stdoutWithoutCreatedAt: String {
        out.replacingOccurrences(of: #","created_at":"[^"]*""#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""created_at":"[^"]*",?"#, with: "", options: .regularExpression)
    }
}

/// Compares two outputs line by line and reports only the first difference, so a failure
/// stays readable.
func expectSameLines(_ a: [String], _ b: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    if a.count != b.count {
        Issue.record("\(what): \(a.count) lines vs \(b.count) lines", sourceLocation: sourceLocation)
        return
    }
    if let i = a.indices.first(where: { a[$0] != b[$0] }) {
        Issue.record("\(what): line \(i + 1) differs\n  \(a[i])\n  \(b[i])", sourceLocation: sourceLocation)
    }
}

extension RunResult {
    var linesWithoutCreatedAt: [String] { stdoutWithoutCreatedAt.split(separator: "\n").map(String.init) }
}
