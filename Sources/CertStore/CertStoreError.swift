/// Failures of the certificate store that are not LMDB's own.
public enum CertStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The store was created for another model set (METHOD.md §2.7).
    case modelSetMismatch(stored: String, requested: String, directory: String)
    /// The store holds verdicts of another certificate kind (mode, bound, alpha, sigma
    /// options, ...): `stored` is the kind recorded in the store, `requested` the caller's.
    case kindMismatch(stored: [String: String], requested: [String: String], directory: String)
    /// The store was made by an older certssb (schema `found`, before the certificate kind
    /// was recorded); its verdicts cannot be reused safely.
    case olderSchema(found: String, directory: String)
    /// The store's schema is not one this build reads (newer, or not a number).
    case unsupportedSchema(found: String, supported: Int, directory: String)
    /// Not 64 hexadecimal digits.
    case invalidSHA256(String)
    /// A label outside Int32 (the region record's field).
    case labelOutOfRange(Int)
    /// A stored record that does not decode.
    case corruptRecord(database: String, key: String, reason: String)

    /// One line that says what to do (another `--store`, move the old store aside …).
    public var description: String {
        switch self {
        case let .modelSetMismatch(stored, requested, directory):
            return "the store \(directory) belongs to model set \(stored), not \(requested); "
                + "use another --store for this model set"
        case let .kindMismatch(stored, requested, directory):
            func quoted(_ value: String?) -> String { value.map { "'\($0)'" } ?? "missing" }
            let fields = Self.kindDifferences(stored: stored, requested: requested)
                .map { "\($0.field) is \(quoted($0.stored)) there, \(quoted($0.requested)) here" }
            return "\(directory) holds verdicts of another certificate kind: "
                + fields.joined(separator: "; ")
                + ". Use another --store (or state_dir) for this kind; the daemon keeps one store per kind."
        case let .olderSchema(found, directory):
            return "\(directory) was made by an older certssb (schema \(found)) and does not record the "
                + "certificate kind (mode, bound, alpha, sigma options) of its verdicts, so they cannot be "
                + "reused safely: move it aside (mv \(directory) \(directory).schema\(found)) or use another "
                + "--store/state_dir; certssb will create a new store there."
        case let .unsupportedSchema(found, supported, directory):
            return "the store \(directory) has schema version \(found); this build reads version \(supported)"
        case let .invalidSHA256(text):
            return "not a SHA-256 in hexadecimal (64 digits): \(text)"
        case let .labelOutOfRange(label):
            return "label \(label) does not fit the region record (Int32)"
        case let .corruptRecord(database, key, reason):
            return "corrupt record in \(database) at key \(key): \(reason)"
        }
    }
}
