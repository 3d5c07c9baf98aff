import Foundation

/// Progress of a long loop, on stderr only (stdout stays machine-readable): on a terminal a
/// bar with an ETA redrawn in place; otherwise (a log, a pipe, CI) a plain line every
/// `interval` seconds or each 10%, whichever comes first, and one at the end.
///
/// `@unchecked Sendable`: every caller advances it from one thread (the loop it reports on).
final class WorkProgress: @unchecked Sendable {
    let label: String
    let unit: String
    private(set) var total: Int
    private(set) var done = 0
    private let resumed: Int
    private let terminal: Bool
    private let interval: TimeInterval
    private let started = Date()
    private var lastLine = Date.distantPast
    private var lastDecile = 0
    private var finished = false
    private var drawn = false

    /// `done` may start above 0 (work read back from a store); the ETA counts only what runs.
    init(
        label: String, total: Int, unit: String, done: Int = 0, terminal: Bool = isatty(STDERR_FILENO) != 0,
        interval: TimeInterval = 5
    ) {
        self.label = label; self.total = total; self.unit = unit; self.terminal = terminal; self.interval = interval
        self.done = done; resumed = done
        lastDecile = total > 0 ? 10 * done / total : 0
    }
    /// `count` more units done; `stage` names the part running now (shown, not counted).
    func advance(by count: Int, stage: String? = nil) {
        done = min(total, done + count)
        let now = Date(), decile = total > 0 ? 10 * done / total : 10
        if terminal {
            draw(stage: stage, now: now); drawn = true
        } else if decile > lastDecile || now.timeIntervalSince(lastLine) >= interval {
            lastDecile = decile; lastLine = now
            logLine(
                "\(label): \(done)/\(total) \(unit) (\(percent)%)" + (stage.map { ", \($0)" } ?? "")
                    + ", elapsed \(ProgressReporter.format(elapsed(now))), ETA \(eta(now))")
        }
    }

    /// Ends the bar's line on a terminal; elsewhere the last 10% line already said 100%.
    func finish() {
        guard !finished else { return }
        finished = true
        if terminal && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private var percent: Int { total > 0 ? 100 * done / total : 100 }

    private func elapsed(_ now: Date) -> Double { now.timeIntervalSince(started) }

    private func eta(_ now: Date) -> String {
        let ran = done - resumed
        guard ran > 0 else { return "?" }
        return ProgressReporter.format(elapsed(now) / Double(ran) * Double(total - done))
    }

    private func draw(stage: String?, now: Date) {
        let width = 30, filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        // \r and a clear to the end of the line: a shorter stage name leaves nothing behind.
        FileHandle.standardError.write(
            Data(
                ("\r\(label) [\(bar)] \(done)/\(total) \(unit)" + (stage.map { "  \($0)" } ?? "")
                    + "  elapsed \(ProgressReporter.format(elapsed(now)))  ETA \(eta(now))\u{1B}[K").utf8))
    }
}
