import Foundation
import Testing

/// Threads of the test support's own, so that blocking work never sits on Swift's
/// cooperative pool. That pool has one thread per core (two here) and is shared by every
/// test of the process *and* by the code under test (the HTTP handler's service calls, every
/// resumed continuation): two tests blocked in `waitpid`, `usleep` or a long loop on it stall
/// every async test and timer of the run until they end.
public enum TestExecutors {
    /// Where `.blockingWork` tests run. Its width bounds how many such tests (most spawn
    /// certssb or certssbd) run at once, so two cores are not buried under dozens of children.
    public static let blocking = ThreadPoolTaskExecutor(
        name: "certssb-test-blocking", threads: max(2, ProcessInfo.processInfo.activeProcessorCount + 1))

    /// For tasks a test starts to observe something (a stream's collector) that must make
    /// progress while the test itself blocks: they only await and append, so two threads do.
    public static let background = ThreadPoolTaskExecutor(name: "certssb-test-background", threads: 2)
}

/// A fixed set of threads that runs jobs in arrival order; usable as a task executor
/// preference (`withTaskExecutorPreference`, `Task(executorPreference:)`).
public final class ThreadPoolTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []  // guarded by `condition`
    private var threads: [pthread_t] = []  // guarded by `condition`
    public let name: String

    public init(name: String, threads: Int) {
        self.name = name
        for i in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "\(name)-\(i)"
            // The cooperative pool's threads have glibc's 8 MiB; some tests recurse deeply.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Whether the calling code runs on one of this executor's threads.
    public var isCurrent: Bool {
        let me = pthread_self()
        return condition.withLock { threads.contains { pthread_equal($0, me) != 0 } }
    }

    /// The executors live as long as the process (they are statics), so the threads never end.
    private func work() {
        condition.withLock { threads.append(pthread_self()) }
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Runs each test (each case of a parameterised one) on `TestExecutors.blocking`.
///
/// For tests that block their thread for long: they spawn processes and wait for them, poll
/// with sleeps, or compute for seconds. On a suite it applies to every test in it.
public struct BlockingWorkTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self  // per test case, never around a whole suite
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(TestExecutors.blocking) {
            try await function()
        }
    }
}

extension Trait where Self == BlockingWorkTrait {
    /// Runs the test off Swift's cooperative pool, on the test support's blocking threads.
    public static var blockingWork: Self { Self() }
}
