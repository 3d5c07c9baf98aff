import CertMath
import CertSigma
import Foundation

/// How the noise and the radius use sigma (DESIGN 2.6).
public enum CertificationMode: String, Codable, Sendable, CaseIterable {
    /// Noise and radius both use the sample's sigma: the guarantee holds.
    case sound
    /// The released code's choice: noise with sigma0, radius with sigma_x. For comparing
    /// with the paper's numbers only; verdicts say so.
    case released
}

/// What happened to an input's certified region in the storage-update store (DESIGN 2.7).
public struct RegionRecord: Codable, Sendable, Equatable {
    /// `unstored` when no store was used; later `stored`, `trimmed` or `aligned`.
    public var status: String
    /// The earlier input whose region forced a trim or an alignment.
    public var conflict: String?
    /// ||x - x_conflict||, so a reader can check the trim or the alignment without the store.
    public var conflictDistance: Double?
    /// What certification alone gave before the store changed it (trimmed or aligned only);
    /// the verdict's own fields describe the final label and radius.
    public var originalLabel: Int?
    public var originalRadius: Double?
    public var originalMargin: Double?
    public var originalRadiusExpected: Double?
    public var originalPA: Double?
    public var originalPB: Double?
    public var originalPALower: Double?
    public var originalPBUpper: Double?

    public init(status: String, conflict: String? = nil, conflictDistance: Double? = nil,
                originalLabel: Int? = nil, originalRadius: Double? = nil) {
        self.status = status; self.conflict = conflict; self.conflictDistance = conflictDistance
        self.originalLabel = originalLabel; self.originalRadius = originalRadius
    }

    // Absent fields are left out of the JSON, so `unstored` and `stored` print as before.
    enum CodingKeys: String, CodingKey {
        case status, conflict, conflictDistance = "conflict_distance"
        case originalLabel = "original_label", originalRadius = "original_radius", originalMargin = "original_margin"
        case originalRadiusExpected = "original_radius_expected", originalPA = "original_p_a", originalPB = "original_p_b"
        case originalPALower = "original_p_a_lower", originalPBUpper = "original_p_b_upper"
    }

    public static let unstored = RegionRecord(status: "unstored")
}

/// A trigger plugin's view of one input: how large its perturbation is here and whether the
/// certified radius covers it.
public struct TriggerReport: Codable, Sendable, Equatable {
    public var name: String
    public var l2: Double
    public var covered: Bool
    public var label: Int

    public init(name: String, l2: Double, covered: Bool, label: Int) {
        self.name = name; self.l2 = l2; self.covered = covered; self.label = label
    }
}

/// One certification result; the JSON fields are a contract (DESIGN 3).
public struct Verdict: Codable, Sendable, Equatable {
    public var sha256: String
    public var modelSet: String
    public var label: Int
    public var labelName: String
    public var certified: Bool
    /// The certifying models did not support the label the search fixed (its lower bound is
    /// at most 1/2): no claim is made about this input. A store conflict that trims a radius
    /// to 0 is not an abstention.
    public var abstained: Bool
    public var radius: Double
    public var radiusExpected: Double
    public var margin: Double
    public var marginExpected: Double
    public var sigma: Double
    public var sigma0: Double
    public var pA: Double
    public var pB: Double
    public var pALower: Double
    public var pBUpper: Double
    /// The certifying models' mean score of each class at `sigma`.
    public var scores: [Double]
    public var votes: [Int]
    /// Certifying models that ran (fewer than the set's when the certificate stopped early).
    public var nModels: Int
    /// The early-stopping target (nil: every certifying model ran).
    public var targetRadius: Double?
    /// The certificate stopped before every certifying model ran, its question decided.
    public var stoppedEarly: Bool
    /// The failure probability of the whole verdict.
    public var alpha: Double
    /// The alpha its bound was computed at: alpha/2 when two candidate sigmas were allowed
    /// (the searched one and sigma0), else alpha.
    public var boundAlpha: Double
    /// The searched sigma did not certify and sigma0 did: `sigma` is sigma0, and
    /// `sigma_search.sigma` is the searched one.
    public var fallback: Bool
    public var bound: BoundKind
    public var mode: CertificationMode
    public var region: RegionRecord
    public var triggers: [TriggerReport]
    public var source: String
    public var createdAt: String
    /// How `sigma` was found (rule, steps, draws, seed); absent when sigma is sigma0.
    public var sigmaSearch: SigmaResult?

    enum CodingKeys: String, CodingKey {
        case sha256, modelSet = "model_set", label, labelName = "label_name", certified, abstained, radius
        case radiusExpected = "radius_expected", margin, marginExpected = "margin_expected", sigma, sigma0
        case pA = "p_a", pB = "p_b", pALower = "p_a_lower", pBUpper = "p_b_upper", scores, votes, nModels = "n_models"
        case targetRadius = "target_radius", stoppedEarly = "stopped_early"
        case alpha, boundAlpha = "bound_alpha", fallback, bound, mode, region, triggers, source, createdAt = "created_at", sigmaSearch = "sigma_search"
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Certifier never lets a non-finite value into a verdict; should one slip through,
        // it is written as a string instead of stopping the process.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    /// JSON with sorted keys and no newline: the same verdict always gives the same bytes
    /// (the store, the socket, the events stream and the sidecars all use this form).
    public func jsonBytes() -> [UInt8] {
        Array(try! Self.encoder.encode(self))
    }

    /// `jsonBytes` as one line of text.
    public func jsonLine() -> String {
        String(decoding: jsonBytes(), as: UTF8.self)
    }
}
