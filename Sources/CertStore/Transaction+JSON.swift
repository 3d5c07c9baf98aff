import Foundation

/// JSON values, encoded with sorted keys so equal values give equal bytes (and readable
/// `mdb_dump` output).
extension ReadTransaction {
    public func getJSON<T: Decodable>(_ db: LMDBDatabase, key: some LMDBKey, as type: T.Type) throws -> T? {
        guard let bytes = try get(db, key: key) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }
}

extension WriteTransaction {
    @discardableResult
    public func putJSON(_ db: LMDBDatabase, key: some LMDBKey, value: some Encodable, noOverwrite: Bool = false) throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try put(db, key: key, value: Array(try encoder.encode(value)), noOverwrite: noOverwrite)
    }
}
