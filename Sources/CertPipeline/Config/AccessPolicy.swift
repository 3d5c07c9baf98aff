import Foundation

/// Who may use the socket beyond the file permissions: `allow_uids` and `allow_gids` in
/// certssbd.conf. Both empty (the default): everyone who can connect (root and group certssbd,
/// by the socket's mode). Otherwise a client is let in when its UID is listed, or its primary
/// GID (SO_PEERCRED reports only that one) is listed, or it is root; the rest get 403.
public struct AccessPolicy: Sendable, Equatable {
    /// UIDs let in.
    public var uids: Set<UInt32> = []
    /// Primary GIDs let in.
    public var gids: Set<UInt32> = []

    /// An open policy (both lists empty).
    public init(uids: Set<UInt32> = [], gids: Set<UInt32> = []) {
        self.uids = uids
        self.gids = gids
    }

    /// True when no list is configured.
    public var isOpen: Bool { uids.isEmpty && gids.isEmpty }

    /// Whether a client with these credentials may send requests.
    public func allows(uid: UInt32, gid: UInt32) -> Bool {
        isOpen || uid == 0 || uids.contains(uid) || gids.contains(gid)
    }

    /// "1000, 1001" or "" → the numbers; anything else is an error naming the bad item.
    static func parseList(_ text: String) throws -> Set<UInt32> {
        var out: Set<UInt32> = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let id = UInt32(item) else { throw InvalidValue("'\(item)' is not a numeric UID or GID") }
            out.insert(id)
        }
        return out
    }

    /// The list as certssbd.conf spells it (sorted, comma-separated).
    static func render(_ ids: Set<UInt32>) -> String { ids.sorted().map(String.init).joined(separator: ",") }
}
