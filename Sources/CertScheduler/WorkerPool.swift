import Foundation

/// A fixed set of long-lived threads. `run` hands the same job to every worker (each gets
/// its index) and returns when all have finished. Workers are created once, so per-batch
/// cost is two semaphore operations per worker, not a thread spawn.
public final class WorkerPool: @unchecked Sendable {
    public let count: Int
    private var job: ((Int) -> Void)?
    private let start: [DispatchSemaphore]
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var threads: [Thread] = []
    private var stopping = false

    public init(workers: Int, name: String = "certssb-worker") {
        precondition(workers >= 1, "a pool needs at least one worker")
        count = workers
        start = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<workers {
            let thread = Thread { [unowned self] in self.loop(index) }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 8 << 20
            threads.append(thread)
            thread.start()
        }
    }

    deinit {
        stopping = true
        start.forEach { $0.signal() }
    }

    /// Runs `body(worker)` on every worker and waits. Calls are serialised.
    public func run(_ body: @escaping (Int) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        job = body
        start.forEach { $0.signal() }
        for _ in 0..<count { done.wait() }
        job = nil
    }

    private func loop(_ index: Int) {
        while true {
            start[index].wait()
            if stopping { return }
            job?(index)
            done.signal()
        }
    }
}
