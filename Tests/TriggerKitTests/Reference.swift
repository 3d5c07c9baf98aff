import CertTestSupport
import Foundation

/// ../shared/data/trigger-reference.json and row 500 of mnist_5k.csv.gz.
enum Reference {
    // Read once, then only read: JSONSerialization values are not Sendable.
    nonisolated(unsafe) static let json: [String: Any] = {
        guard let data = FileManager.default.contents(atPath: TestPaths.referenceJSON),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }()

    static func entry(_ key: String) -> [String: Any] { json[key] as? [String: Any] ?? [:] }

    static func doubles(_ entry: [String: Any], _ key: String) -> [Double] {
        (entry[key] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
    }

    static func ints(_ entry: [String: Any], _ key: String) -> [Int] {
        (entry[key] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
    }

    /// A row of the gzip CSV (0-based, no header): 784 pixels / 255 and the label. The test
    /// target links no zlib, so /usr/bin/gzip does the decompression.
    static func mnistRow(_ index: Int) throws -> (pixels: [Float], label: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-dc", TestPaths.mnistCSV]
        let output = Pipe()
        process.standardOutput = output
        try ProcessEnvironment.withShared { try process.run() }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        let fields = lines[index].split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! }
        return (fields.dropLast().map { Float($0) / 255 }, fields.last!)
    }
}
