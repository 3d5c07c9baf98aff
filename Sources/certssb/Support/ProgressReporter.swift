import CertTraining
import Foundation

/// Training progress: a bar with an ETA on a terminal, one log line per model otherwise.
///
/// `@unchecked Sendable`: `headerPrinted`, the only mutable state, is touched only by `update`,
/// which `EnsembleTrainer.run` calls under its own lock (or before its workers start), so never
/// twice at once.
final class ProgressReporter: @unchecked Sendable {
    let total: Int
    private let header: String
    private var headerPrinted = false
    private let terminal = isatty(STDERR_FILENO) != 0

    /// `header` is printed with the first update, once the trainer has accepted its folder,
    /// so a refused run prints only its error.
    init(total: Int, header: String) { self.total = total; self.header = header }

    func update(_ p: EnsembleTrainer.Progress) {
        if !headerPrinted { logLine(header); headerPrinted = true }
        let trained = p.done - p.resumed
        let eta: String
        if trained > 0 {
            let remaining = p.elapsed / Double(trained) * Double(p.total - p.done)
            eta = Self.format(remaining)
        } else {
            eta = "?"
        }
        if terminal {
            let width = 30, filled = p.total > 0 ? width * p.done / p.total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(
                Data("\r[\(bar)] \(p.done)/\(p.total) models  elapsed \(Self.format(p.elapsed))  ETA \(eta)   ".utf8))
        } else if let last = p.last {
            logLine(
                String(
                    format: "model %d done (%d/%d, loss %.4f, train acc %.4f, %.1f s) ETA %@", last.index, p.done, p.total,
                    last.finalLoss, last.trainAccuracy, last.seconds, eta))
        } else if p.resumed > 0 {
            logLine("resuming: \(p.resumed)/\(p.total) models already trained")
        }
    }

    func finish() { if terminal { FileHandle.standardError.write(Data("\n".utf8)) } }

    static func format(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
