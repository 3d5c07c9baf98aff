import Foundation

/// lmdb-utils (Debian's mdb_stat), an independent reader of the stores certssb writes.
enum LMDBUtils {
    /// Entries of one named database of the LMDB environment in `store` (0 when there is none).
    static func entries(_ database: String, store: String) -> Int {
        guard FileManager.default.fileExists(atPath: store + "/data.mdb") else { return 0 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mdb_stat")
        process.arguments = ["-s", database, store]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return 0 }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = text.split(separator: "\n").first { $0.contains("Entries:") }
        return line.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
    }
}
