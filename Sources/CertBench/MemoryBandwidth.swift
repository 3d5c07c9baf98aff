import Foundation

/// Read bandwidth from RAM: `threads` threads each sum their own part of one buffer much
/// larger than the last-level cache, at the same time. The yardstick for one image's
/// latency, which must stream every model's weights once (CONTRACTS.md §6).
public enum MemoryBandwidth {
    /// GB/s (10⁹ bytes) of `repeats` runs, each reading the whole buffer `passes` times.
    /// The buffer is written once first so every page is resident before the clock starts.
    public static func read(threads: Int = 2, megabytes: Int = 1024, passes: Int = 3, repeats: Int = 3) -> [Double] {
        let bytes = megabytes << 20
        let count = bytes / MemoryLayout<SIMD16<Float>>.stride
        let buffer = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: SIMD16<Float>(repeating: 1), count: count)
        let part = count / threads
        let sink = SumSink(threads)
        var results: [Double] = []
        for _ in 0..<repeats {
            let done = DispatchGroup()
            let t0 = Stopwatch.now()
            for t in 0..<threads {
                done.enter()
                // The address as an integer: a pointer is not Sendable, and each thread reads
                // only its own part, which nothing writes while it runs.
                let address = UInt(bitPattern: buffer + t * part)
                let thread = Thread {
                    let start = UnsafeMutablePointer<SIMD16<Float>>(bitPattern: address)!
                    var total: Float = 0
                    for _ in 0..<passes {
                        // A store into the part before each pass: without it the optimiser may
                        // hoist the (loop-invariant) sum out of the passes and read once.
                        start[0] = SIMD16<Float>(repeating: total * 0x1p-60)
                        total += Self.sum(start, part)
                    }
                    sink.store(total, at: t)
                    done.leave()
                }
                thread.start()
            }
            done.wait()
            let seconds = Stopwatch.now() - t0
            results.append(Double(part * threads * MemoryLayout<SIMD16<Float>>.stride * passes) / seconds / 1e9)
        }
        return results
    }

    /// Four independent accumulators so the adds never wait on each other: the loop is
    /// bound by the loads alone.
    static func sum(_ p: UnsafePointer<SIMD16<Float>>, _ n: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var i = 0
        while i + 4 <= n {
            a0 += p[i]; a1 += p[i + 1]; a2 += p[i + 2]; a3 += p[i + 3]
            i += 4
        }
        while i < n { a0 += p[i]; i += 1 }
        return (a0 + a1 + a2 + a3).sum()
    }
}

/// Where the threads leave their sums, so the optimiser cannot drop the reads.
///
/// `@unchecked Sendable`: each thread writes only its own slot, and the slots are read only
/// after the DispatchGroup has seen every thread leave.
private final class SumSink: @unchecked Sendable {
    var values: [Float]
    init(_ n: Int) { values = [Float](repeating: 0, count: n) }
    func store(_ value: Float, at i: Int) { values[i] = value }
}
