import Foundation

/// JSON values, encoded with sorted keys so equal values give equal bytes (and readable
/// `mdb_dump` output).
extension ReadTransaction {
    /// The value at `key` decoded from JSON as `type`, or nil when absent. Throws the decoder's
    /// error for a record that is not valid JSON of that type.
    public func getJSON<T: Decodable>(_ db: LMDBDatabase, key: some LMDBKey, as type: T.Type) throws -> T? {
        guard let bytes = try get(db, key: key) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }
}

extension WriteTransaction {
    /// Stores `value` as sorted-key JSON; with `noOverwrite` an existing key is kept and false
    /// returned.
    @discardableResult
    public func putJSON(_ db: LMDBDatabase, key: some LMDBKey, value: some Encodable, noOverwrite: Bool = false) throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try put(db, key: key, value: Array(try encoder.encode(value)), noOverwrite: noOverwrite)
    }
}
