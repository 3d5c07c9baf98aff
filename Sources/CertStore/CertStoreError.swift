/// Failures of the certificate store that are not LMDB's own.
public enum CertStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The store was created for another model set (stores are per model set, DESIGN 2.7).
    case modelSetMismatch(stored: String, requested: String, directory: String)
    /// The store's schema is not one this build reads.
    case unsupportedSchema(found: String, supported: Int, directory: String)
    /// Not 64 hexadecimal digits.
    case invalidSHA256(String)
    /// A label outside Int32 (the region record's field).
    case labelOutOfRange(Int)
    /// A stored record that does not decode.
    case corruptRecord(database: String, key: String, reason: String)

    public var description: String {
        switch self {
        case let .modelSetMismatch(stored, requested, directory):
            return "the store \(directory) belongs to model set \(stored), not \(requested); "
                + "use another --store for this model set"
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
