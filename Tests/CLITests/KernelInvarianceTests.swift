import CertTestSupport
import Foundation
import Testing

/// Batch invariance under every OpenBLAS kernel this CPU can run, each in its own process
/// (`OPENBLAS_CORETYPE` is read once, when OpenBLAS loads). The child also gets
/// `OPENBLAS_NUM_THREADS=2`: OpenBLAS's own threading broke invariance on the Sandybridge,
/// Haswell and Zen kernels when the engine still ran its products on OpenBLAS (76, 272 and
/// 272 of 596 comparisons differed there); the engine's own kernels must not depend on either.
@Suite(.blockingWork) struct KernelInvarianceTests {
    /// Kernels of Debian's DYNAMIC_ARCH OpenBLAS and the CPU flags each needs to run.
    static let kernels: [(name: String, flags: [String])] = [
        ("Prescott", ["pni"]),
        ("Core2", ["ssse3"]),
        ("Nehalem", ["sse4_2", "popcnt"]),
        ("Sandybridge", ["avx"]),
        ("Haswell", ["avx2", "fma"]),
        ("Zen", ["avx2", "fma"]),
        ("SkylakeX", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]),
        ("Cooperlake", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]),
    ]

    static var cpuFlags: Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return [] }
        return Set(line.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? [])
    }

    static var runnable: [String] {
        let flags = cpuFlags
        return kernels.filter { $0.flags.allSatisfy(flags.contains) }.map(\.name)
    }

    @Test(.enabled(if: Paths.executable != nil, Paths.executableSkipReason))
    func logitsAreBitIdenticalUnderEveryKernelThisCPURuns() throws {
        let kernels = Self.runnable
        #expect(kernels.count >= 2, "flags read from /proc/cpuinfo: \(Self.cpuFlags.count)")
        var digests: [String: String] = [:]
        for kernel in kernels {
            var environment = ProcessEnvironment.current
            environment["OPENBLAS_CORETYPE"] = kernel
            environment["OPENBLAS_NUM_THREADS"] = "2"
            let r = try CLI.run(["invariance"], environment: environment, timeout: 300)
            let report = r.jsonLines.first.flatMap { $0 }
            #expect(report?["blas_kernel"] as? String == kernel, "kernel \(kernel) was not the one that ran: \(r.summary)")
            #expect((report?["comparisons"] as? Int ?? 0) > 0, "\(kernel): \(r.summary)")
            #expect(r.exited(0), "\(kernel): \(r.summary)")
            // The storage-update: the index decides as the brute force, the same decisions everywhere.
            let update = report?["storage_update"] as? [String: Any]
            #expect(update?["mismatches"] as? Int == 0 && (update?["decisions"] as? Int ?? 0) == 128, "\(kernel): \(r.summary)")
            #expect((update?["outcomes"] as? [String: Int])?.count == 3, "stored, trimmed and aligned: \(update ?? [:])")
            digests[kernel] = update?["digest"] as? String
        }
        #expect(Set(digests.values).count == 1, "storage-update decisions differ between kernels: \(digests)")
        print("batch invariance held under OpenBLAS kernels: \(kernels.joined(separator: ", "))")
    }
}
