import Foundation

/// lmdb-utils (Debian's mdb_stat), an independent reader of the stores certssb writes.
enum LMDBUtils {
    /// Entries of one named database of the LMDB environment in `store` (0 when there is none).
    static func entries(_ database: String, store: String) -> Int {
        guard FileManager.default.fileExists(atPath: store + "/data.mdb"),
            let run = try? CLI.run(program: "/usr/bin/mdb_stat", ["-s", database, store], timeout: 60)
        else { return 0 }
        let line = run.out.split(separator: "\n").first { $0.contains("Entries:") }
        return line.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
    }
}
