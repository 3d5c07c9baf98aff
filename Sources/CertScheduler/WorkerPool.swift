import Foundation

/// A fixed set of long-lived threads. `run` hands the same job to every worker (each gets
/// its index) and returns when all have finished. Workers are created once, so per-batch
/// cost is two semaphore operations per worker, not a thread spawn. Dropping the pool
/// stops its threads.
///
/// `@unchecked Sendable`: `count` and `shared` are `let`s, and `run` holds `lock` for the whole
/// job, so jobs never overlap.
public final class WorkerPool: @unchecked Sendable {
    /// What the threads hold on to; it outlives the pool until the last thread exits.
    ///
    /// `@unchecked Sendable`: `job` is set by `run` (under the pool's lock) before the start
    /// semaphores are signalled and cleared after every done signal; `stopping` is set before the
    /// final signals. The semaphores order those writes before the workers' reads.
    private final class Shared: @unchecked Sendable {
        let start: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        var job: ((Int) -> Void)?
        var stopping = false
        init(workers: Int) { start = (0..<workers).map { _ in DispatchSemaphore(value: 0) } }

        func loop(_ index: Int) {
            while true {
                start[index].wait()
                if stopping { return }
                job?(index)
                done.signal()
            }
        }
    }

    /// Number of worker threads, fixed at init.
    public let count: Int
    private let shared: Shared
    private let lock = NSLock()

    /// Starts `workers` threads named `name-0`, `name-1`, … (8 MB stacks). Crashes (precondition)
    /// for fewer than one.
    public init(workers: Int, name: String = "certssb-worker") {
        precondition(workers >= 1, "a pool needs at least one worker")
        count = workers
        let shared = Shared(workers: workers)
        self.shared = shared
        for index in 0..<workers {
            let thread = Thread { shared.loop(index) }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    deinit {
        shared.stopping = true
        shared.start.forEach { $0.signal() }
    }

    /// Runs `body(worker)` on every worker and waits. Calls are serialised.
    public func run(_ body: @escaping (Int) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        shared.job = body
        shared.start.forEach { $0.signal() }
        for _ in 0..<count { shared.done.wait() }
        shared.job = nil
    }
}
