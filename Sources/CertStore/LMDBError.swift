import CLMDB
import Foundation

/// An LMDB (or system) failure: the code, the `mdb_strerror` text and the operation that failed.
///
/// The description is what an operator reads in the journal, so the common failures that
/// have an obvious remedy (map full, permissions, disk full, not an LMDB directory) say so.
public struct LMDBError: Error, CustomStringConvertible, Equatable, Sendable {
    /// LMDB's code (`MDB_*`, negative) or an errno value (positive).
    public let code: Int32
    /// The call or step that failed, e.g. `mdb_env_open` or `mdb_put(regions)`.
    public let operation: String
    /// The environment directory, when known.
    public let path: String
    /// `mdb_strerror(code)`.
    public let message: String
    /// Extra context (e.g. the map size reached when growth gave up).
    public let detail: String?

    /// An error for `code`; `message` is looked up with `mdb_strerror`.
    public init(code: Int32, operation: String, path: String = "", detail: String? = nil) {
        self.code = code
        self.operation = operation
        self.path = path
        self.message = String(cString: mdb_strerror(code))
        self.detail = detail
    }

    /// MDB_MAP_FULL: the map reached `maxMapSize`.
    public var isMapFull: Bool { code == MDB_MAP_FULL }
    /// The directory holds no LMDB environment, or one of an incompatible LMDB version.
    public var isNotAnEnvironment: Bool { code == MDB_INVALID || code == MDB_VERSION_MISMATCH }

    /// The remedy first when there is an obvious one, then "[operation: message (code)]".
    public var description: String {
        let place = path.isEmpty ? "" : " at \(path)"
        let base: String
        switch code {
        case MDB_MAP_FULL:
            base = "LMDB environment\(place) is full: the map could not grow any further"
        case EACCES, EPERM:
            base =
                "permission denied for the LMDB environment\(place): check the owner and mode "
                + "of the directory and of data.mdb and lock.mdb"
        case ENOSPC:
            base =
                "disk full: no space left on the device holding the LMDB environment\(place); "
                + "free some space and retry"
        case MDB_INVALID, MDB_VERSION_MISMATCH:
            base =
                "\(path.isEmpty ? "the directory" : path) is not an LMDB environment "
                + "(or was written by an incompatible LMDB version): data.mdb is not an LMDB file"
        default:
            base = "LMDB error\(place)"
        }
        let extra = detail.map { "; \($0)" } ?? ""
        return "\(base)\(extra) [\(operation): \(message) (\(code))]"
    }
}

/// Turns a C return code into a thrown `LMDBError`.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String, path: String = "") throws {
    if rc != 0 { throw LMDBError(code: rc, operation: operation(), path: path) }
}
