import CLMDB

/// A named database inside an environment: LMDB's handle plus its name (for messages).
///
/// Obtain it with `LMDBEnvironment.database(_:)`; the handle stays valid until the
/// environment is closed.
public struct LMDBDatabase: Hashable, Sendable {
    public let handle: MDB_dbi
    public let name: String
}
