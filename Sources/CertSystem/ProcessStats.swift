#if canImport(Glibc)
    import Glibc
#endif

/// This process's resources as Prometheus's `process_*` series name them, from /proc.
public struct ProcessStats: Sendable, Equatable {
    /// Resident set size in bytes.
    public var residentBytes: Double
    /// Virtual memory size in bytes.
    public var virtualBytes: Double
    /// User plus system CPU time, in seconds.
    public var cpuSeconds: Double
    /// When the process started, in seconds since the Unix epoch.
    public var startTimeSeconds: Double
    /// Open file descriptors.
    public var openFileDescriptors: Int
    /// The soft limit on file descriptors (RLIMIT_NOFILE).
    public var maxFileDescriptors: Int

    /// Reads /proc/self/stat, /proc/stat (boot time) and /proc/self/fd; nil when /proc is not
    /// there or does not parse.
    public static func current() -> ProcessStats? {
        guard let stat = try? SystemCall.readFile("/proc/self/stat", limit: 1 << 16),
            let system = try? SystemCall.readFile("/proc/stat", limit: 1 << 20)
        else { return nil }
        let text = String(decoding: stat, as: UTF8.self)
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime 14, stime 15, starttime 22, vsize 23, rss 24.
        func field(_ n: Int) -> Double? { n - 3 < fields.count ? Double(fields[n - 3]) : nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK))), page = Double(sysconf(Int32(_SC_PAGESIZE)))
        let bootLine = String(decoding: system, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("btime ") }
        guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23), let rss = field(24),
            let boot = bootLine.flatMap({ Double($0.dropFirst(6)) }), ticks > 0
        else { return nil }
        var limit = rlimit()
        let maxFDs = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(limit.rlim_cur) : 0
        let open = (try? SystemCall.listDirectory("/proc/self/fd").count) ?? 0
        return ProcessStats(
            residentBytes: rss * page, virtualBytes: vsize, cpuSeconds: (utime + stime) / ticks,
            startTimeSeconds: boot + start / ticks, openFileDescriptors: open, maxFileDescriptors: maxFDs)
    }
}
