import CLMDB

/// A named database inside an environment: LMDB's handle plus its name (for messages).
///
/// Obtain it with `LMDBEnvironment.database(_:)`; the handle stays valid until the
/// environment is closed.
public struct LMDBDatabase: Hashable, Sendable {
    /// LMDB's `MDB_dbi` (a `UInt32`), kept as the plain type so clients need not import CLMDB.
    public let handle: UInt32
    /// The database's name (`verdicts`, `regions`, …).
    public let name: String
}
