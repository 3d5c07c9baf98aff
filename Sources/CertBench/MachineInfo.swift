import CertCore
import Foundation

/// Where a benchmark ran: figures are meaningless without it.
public struct MachineInfo: Codable, Sendable {
    /// /proc/cpuinfo's model name and the SIMD flags that matter (avx512f, avx2, fma).
    public var cpu: String
    /// Logical cores the process may use.
    public var logicalCores: Int
    /// The OpenBLAS kernel picked (`Cooperlake`, `Haswell`, …).
    public var openBLASCore: String
    /// OpenBLAS's build configuration string.
    public var openBLASConfig: String
    /// `OPENBLAS_CORETYPE` when set (a forced kernel).
    public var openBLASCoretypeEnv: String?
    /// `release`, or a warning that debug figures do not count.
    public var build: String
    /// "Linux RELEASE".
    public var kernel: String
    /// Every SIMD flag of /proc/cpuinfo that a kernel may use (sse4_2, avx, avx2, fma, f16c,
    /// avx512*, avx_vnni, …), sorted; nil in reports written before it was recorded.
    public var cpuFlags: [String]?
    /// Total RAM in GB (MemTotal of /proc/meminfo).
    public var memoryGB: Double?
    /// /proc/loadavg when the figures were taken: on a shared machine, how busy it was.
    public var loadAverage: String?

    /// The machine this process runs on, now.
    public static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let simd = ["avx512f", "avx2", "fma"].filter { CPUFeatures.flags.contains($0) }.joined(separator: ",")
        let allFlags = CPUFeatures.flagList.filter {
            $0.hasPrefix("avx") || $0.hasPrefix("sse") || $0 == "fma" || $0 == "f16c" || $0.hasPrefix("amx")
        }
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memTotal = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }.first }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #if DEBUG
            let build = "debug (numbers are not representative: use swift build -c release)"
        #else
            let build = "release"
        #endif
        return MachineInfo(
            cpu: "\(model) [\(simd)]", logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            openBLASCore: BLAS.coreName, openBLASConfig: BLAS.configuration,
            openBLASCoretypeEnv: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
            build: build, kernel: "Linux \(release)", cpuFlags: Array(Set(allFlags)).sorted(),
            memoryGB: memTotal.map { ($0 * 1024 / 1e9 * 10).rounded() / 10 }, loadAverage: load)
    }
}
