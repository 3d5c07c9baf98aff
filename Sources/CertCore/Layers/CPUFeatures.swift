/// What the CPU can run, from /proc/cpuinfo's flags (read once).
public enum CPUFeatures {
    /// The first processor's flags line, word by word in the file's order (without "flags" and
    /// ":"); empty where /proc/cpuinfo cannot be read.
    public static let flagList: [String] = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        return line.split(separator: ":", maxSplits: 1).last.map { $0.split(separator: " ").map(String.init) } ?? []
    }()

    /// The same flags as a set.
    public static let flags = Set(flagList)

    /// AVX-512 F, CD, BW, DQ and VL, the extensions of `-target-cpu skylake-avx512` beyond
    /// Haswell's that compiled floating-point code may use.
    public static var avx512Instructions: Bool {
        haswellInstructions && ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }

    /// Every extension `-target-cpu haswell` lets the compiler use (AVX2, FMA, F16C, BMI1/2,
    /// LZCNT, MOVBE): `CertKernels`' Haswell build can run.
    public static var haswellInstructions: Bool {
        ["avx2", "fma", "f16c", "bmi1", "bmi2", "abm", "movbe"].allSatisfy(flags.contains)
    }
}
