/// Which half of which model a worker runs next when a small batch is split into each model's
/// trunk (convolutions: arithmetic on a few hundred kB of weights) and head (fully connected
/// layers: for one image, a stream of the model's 1 MB fc weight from memory).
///
/// Run model by model, two workers start together and drift little: both convolve while the
/// memory idles, then both stream at once and share its bandwidth. The rule here keeps the
/// memory busy while convolutions run: a worker takes the next head when its trunk is done
/// and nobody else is streaming, else the next trunk; only when every trunk has been taken do
/// both stream. One core alone reads at 85-90% of what two do, so one streamer loses little
/// and the other core's convolutions run beside it. Measured on a 2-core EPYC (one image, 984
/// models, interleaved in one process): 44 ms against 47-49 ms model by model; the trunks
/// take ~31 µs a model, a head ~53 µs on one core, so the memory still idles part of the
/// time (README "Benchmarks").
///
/// Trunks and heads are each taken in model order. The schedule decides only who runs what
/// when, never the arithmetic: every (image, model) logit comes from the same kernels in the
/// same order whatever the schedule (see `Linear`), so results are bit-identical to the plain
/// model-by-model run.
///
/// Not thread-safe: `NoiseBatchScheduler` calls it under one lock.
struct TrunkHeadQueue {
    /// One unit of work for a worker.
    enum Task: Equatable {
        /// Run model m's trunk and keep its features.
        case trunk(Int)
        /// Run model m's head on the features its trunk left.
        case head(Int)
        /// The next head's trunk is still running on another worker: wait for a `finish`.
        case wait
        /// Every head has been taken: this worker is done.
        case done
    }

    /// Models in the batch's range (indices 0..<count).
    let count: Int
    private var nextTrunk = 0
    private var nextHead = 0
    private var trunkDone: [Bool]
    /// Workers running a head now.
    private(set) var streaming = 0

    /// A queue over `count` models, nothing taken yet.
    init(count: Int) {
        self.count = count
        trunkDone = [Bool](repeating: false, count: count)
    }

    /// The next task for a free worker (taken: no other worker gets it).
    mutating func take() -> Task {
        let headReady = nextHead < count && trunkDone[nextHead]
        if headReady && (streaming == 0 || nextTrunk == count) {
            defer {
                nextHead += 1
                streaming += 1
            }
            return .head(nextHead)
        }
        if nextTrunk < count {
            defer { nextTrunk += 1 }
            return .trunk(nextTrunk)
        }
        return nextHead == count ? .done : .wait
    }

    /// Records that a task taken by `take` has finished.
    mutating func finish(_ task: Task) {
        switch task {
        case let .trunk(m): trunkDone[m] = true
        case .head: streaming -= 1
        case .wait, .done: break
        }
    }
}
