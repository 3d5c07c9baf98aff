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

    /// The machine this process runs on, now.
    public static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let simd = ["avx512f", "avx2", "fma"].filter { flags.contains(" \($0)") }.joined(separator: ",")
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
            build: build, kernel: "Linux \(release)")
    }
}
