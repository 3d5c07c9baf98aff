import CertSystem

/// Prometheus's text exposition format, the parts /metrics needs.
enum PrometheusText {
    /// A quoted label value: the format escapes only backslash, double quote and line feed
    /// (not JSON's rules: a tab or a non-ASCII letter stays as it is).
    static func label(_ value: String) -> String {
        var out = "\""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// The standard `process_*` series (the names the Prometheus client libraries use); empty
    /// when /proc could not be read.
    static func processSeries(_ stats: ProcessStats?) -> String {
        guard let p = stats else { return "" }
        let series: [(String, String, String, String)] = [
            ("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", "\(p.cpuSeconds)"),
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", "\(p.residentBytes)"),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", "\(p.virtualBytes)"),
            ("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", "\(p.startTimeSeconds)"),
            ("process_open_fds", "gauge", "Number of open file descriptors.", "\(p.openFileDescriptors)"),
            ("process_max_fds", "gauge", "Maximum number of open file descriptors.", "\(p.maxFileDescriptors)"),
        ]
        return series.map { "# HELP \($0.0) \($0.2)\n# TYPE \($0.0) \($0.1)\n\($0.0) \($0.3)\n" }.joined()
    }
}
