import Foundation

/// Resident memory of a process from /proc/PID/status, in MB (10⁶ bytes).
public enum ProcessMemory {
    /// `VmRSS` (resident now) and `VmHWM` (the peak resident size so far) of `pid` (self by
    /// default); nil when the process or the field is gone.
    public static func status(pid: Int32? = nil) -> (rssMB: Double, peakMB: Double)? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        func field(_ name: String) -> Double? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            // "VmRSS:	  123456 kB"
            let kB = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }.first
            return kB.map { $0 * 1024 / 1e6 }
        }
        guard let rss = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (rss, peak)
    }
}
