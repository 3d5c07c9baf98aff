import CertStore
import Certify

/// The LMDB store as the region index's archive: position p is the region of sequence p + 1,
/// read in place from the map (one read snapshot per decision or batch).
public final class StoreRegionArchive: RegionArchive {
    /// The store whose `regions` database is read.
    public let store: CertStore

    /// The archive of `store`'s regions.
    public init(store: CertStore) { self.store = store }

    /// Regions in the store (`CertStore.regionCount`, one read snapshot).
    public func count() throws -> Int { try store.regionCount() }

    /// Streams every region in sequence order, in place (`CertStore.forEachRegion`: one snapshot
    /// per 65 536 regions), at position sequence − 1; a torn record throws `CertStoreError`.
    public func forEach(_ body: (Int, ArchivedRegion) throws -> Void) throws {
        try store.forEachRegion { view in
            try body(Int(view.sequence) - 1, ArchivedRegion(label: view.label, radius: view.radius, input: view.input))
        }
    }

    /// Runs `body` with a reader of one read snapshot (`CertStore.readRegions`); reading a
    /// position the snapshot has no region for throws `RegionArchiveError`.
    public func read<T>(_ body: (any RegionArchiveReader) throws -> T) throws -> T {
        try store.readRegions { try body(Reader(regions: $0)) }
    }

    struct Reader: RegionArchiveReader {
        let regions: CertStore.RegionReader

        func withRegion<T>(at position: Int, _ body: (ArchivedRegion) throws -> T) throws -> T {
            try view(position) { try body(ArchivedRegion(label: $0.label, radius: $0.radius, input: $0.input)) }
        }

        func sha256(at position: Int) throws -> String { try view(position) { $0.sha256 } }

        private func view<T>(_ position: Int, _ body: (RegionView) throws -> T) throws -> T {
            guard let found = try regions.withRegion(sequence: UInt64(position) + 1, body) else {
                throw RegionArchiveError(reason: "region \(position + 1) is missing from the store")
            }
            return found
        }
    }
}
