import CertMath
import CertSigma
import Foundation

/// How the noise and the radius use sigma (METHOD.md §2.6).
public enum CertificationMode: String, Codable, Sendable, CaseIterable {
    /// Noise and radius both use the sample's sigma: the guarantee holds.
    case sound
    /// The released code's choice: noise with sigma0, radius with sigma_x. For comparing
    /// with the paper's numbers only; verdicts say so.
    case released
}

/// What happened to an input's certified region in the storage-update store (METHOD.md §2.7).
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
    /// The radius certification gave (may be negative: not certified).
    public var originalRadius: Double?
    /// Its margin.
    public var originalMargin: Double?
    /// Its expected radius.
    public var originalRadiusExpected: Double?
    /// Its p_a.
    public var originalPA: Double?
    /// Its p_b.
    public var originalPB: Double?
    /// Its p_a_lower.
    public var originalPALower: Double?
    /// Its p_b_upper.
    public var originalPBUpper: Double?

    /// A record; the storage-update fills the remaining `original*` fields when it trims or aligns.
    public init(
        status: String, conflict: String? = nil, conflictDistance: Double? = nil,
        originalLabel: Int? = nil, originalRadius: Double? = nil
    ) {
        self.status = status; self.conflict = conflict; self.conflictDistance = conflictDistance
        self.originalLabel = originalLabel; self.originalRadius = originalRadius
    }

    // Absent fields are left out of the JSON, so `unstored` and `stored` print as before.
    enum CodingKeys: String, CodingKey {
        case status, conflict
        case conflictDistance = "conflict_distance"
        case originalLabel = "original_label"
        case originalRadius = "original_radius"
        case originalMargin = "original_margin"
        case originalRadiusExpected = "original_radius_expected"
        case originalPA = "original_p_a"
        case originalPB = "original_p_b"
        case originalPALower = "original_p_a_lower"
        case originalPBUpper = "original_p_b_upper"
    }

    /// The record of a verdict made without a store.
    public static let unstored = RegionRecord(status: "unstored")
}

/// A trigger plugin's view of one input: how large its perturbation is here and whether the
/// certified radius covers it.
public struct TriggerReport: Codable, Sendable, Equatable {
    /// The plugin's name.
    public var name: String
    /// ‖triggered − x‖: the L2 size of its perturbation on this image (after clipping), pixel
    /// units.
    public var l2: Double
    /// `radius > l2`: the triggered image lies inside the certified ball. Recomputed after a trim
    /// or an alignment.
    public var covered: Bool
    /// The smoothed label of the triggered image at this image's sigma (certifying models' top mean
    /// score, no bound).
    public var label: Int

    /// A report from its parts.
    public init(name: String, l2: Double, covered: Bool, label: Int) {
        self.name = name; self.l2 = l2; self.covered = covered; self.label = label
    }
}

/// One certification result; the JSON fields are a contract (CONTRACTS.md §3).
public struct Verdict: Codable, Sendable, Equatable {
    /// SHA-256 (lowercase hex) of the file's bytes: the store's key.
    public var sha256: String
    /// `ModelSet.id` of the whole set.
    public var modelSet: String
    /// The class certified: fixed by the search models at sigma0; after an alignment, the foreign
    /// region's label.
    public var label: Int
    /// `classes[label]` from the manifest.
    public var labelName: String
    /// `radius > 0`.
    public var certified: Bool
    /// The certifying models did not support the label the search fixed (its lower bound is
    /// at most 1/2): no claim is made about this input. A store conflict that trims a radius
    /// to 0 is not an abstention.
    public var abstained: Bool
    /// R = sigma · margin, L2 in pixel units ([0, 1] per value); may be negative when not
    /// certified. After the storage-update: the final radius, ≥ 0.
    public var radius: Double
    /// sigma · margin_expected: the point estimate without the statistical margin.
    public var radiusExpected: Double
    /// M = ½(Φ⁻¹(p_a_lower) − Φ⁻¹(p_b_upper)), dimensionless; covers poisoning budgets too (README,
    /// "The margin").
    public var margin: Double
    /// The same from the mean scores.
    public var marginExpected: Double
    /// The noise level of this input: the searched sigma, or sigma0 after a fallback.
    public var sigma: Double
    /// The model set's sigma0.
    public var sigma0: Double
    /// The label's point estimate: mean score, or vote share under Clopper–Pearson.
    public var pA: Double
    /// The best other class's point estimate, in the same units.
    public var pB: Double
    /// The lower confidence bound of the label's probability (clamped to [1e-8, 1 − 1e-8]).
    public var pALower: Double
    /// The upper confidence bound of the best other class.
    public var pBUpper: Double
    /// The certifying models' mean score of each class at `sigma`.
    public var scores: [Double]
    /// Hard votes per class of the certifying models that ran.
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
    /// The bound that made the certificate (for `best`, the winner).
    public var bound: BoundKind
    /// `sound` or `released`.
    public var mode: CertificationMode
    /// The storage-update outcome (`unstored` without a store).
    public var region: RegionRecord
    /// Per loaded trigger plugin, in name order; empty with `--no-triggers` or `trigger_reports =
    /// no`.
    public var triggers: [TriggerReport]
    /// Where the image came from.
    public var source: String
    /// ISO 8601 time of certification.
    public var createdAt: String
    /// How the label and `sigma` were found (rule, stop, steps, draws, seed, cost). Always set
    /// by `Certifier`; nil only in a verdict decoded from JSON without it.
    public var sigmaSearch: SigmaResult?

    enum CodingKeys: String, CodingKey {
        case sha256
        case modelSet = "model_set"
        case label
        case labelName = "label_name"
        case certified, abstained, radius
        case radiusExpected = "radius_expected"
        case margin
        case marginExpected = "margin_expected"
        case sigma, sigma0
        case pA = "p_a"
        case pB = "p_b"
        case pALower = "p_a_lower"
        case pBUpper = "p_b_upper"
        case scores, votes
        case nModels = "n_models"
        case targetRadius = "target_radius"
        case stoppedEarly = "stopped_early"
        case alpha
        case boundAlpha = "bound_alpha"
        case fallback, bound, mode, region, triggers, source
        case createdAt = "created_at"
        case sigmaSearch = "sigma_search"
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
