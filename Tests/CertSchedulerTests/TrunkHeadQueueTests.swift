import Testing

@testable import CertScheduler

@Suite struct TrunkHeadQueueTests {
    /// Random interleavings of 1-3 workers, each finishing its task at a random moment: every
    /// trunk and every head runs exactly once, a head only after its trunk finished, never two
    /// heads at once while a trunk is left, and `.wait` only while some trunk is running.
    @Test func everyInterleavingRunsEachHalfOnceInAValidOrder() {
        var random = Xorshift(state: 17)
        for round in 0..<400 {
            let models = Int(random.next() % 9)
            let workers = 1 + Int(random.next() % 3)
            var queue = TrunkHeadQueue(count: models)
            var running: [TrunkHeadQueue.Task?] = Array(repeating: nil, count: workers)
            var trunksDone = Set<Int>(), headsDone = Set<Int>(), trunksTaken = Set<Int>(), headsTaken = Set<Int>()
            var done = Set<Int>()
            var steps = 0
            while done.count < workers {
                steps += 1
                #expect(steps < 10_000, "round \(round): no progress")
                if steps >= 10_000 { return }
                let w = Int(random.next() % UInt64(workers))
                if done.contains(w) { continue }
                if let task = running[w] {
                    // Finish the running task (at a random moment relative to the others).
                    if case let .trunk(m) = task { trunksDone.insert(m) }
                    if case let .head(m) = task { headsDone.insert(m) }
                    queue.finish(task)
                    running[w] = nil
                    continue
                }
                let trunksLeft = trunksTaken.count < models
                let task = queue.take()
                switch task {
                case let .trunk(m):
                    #expect(!trunksTaken.contains(m))
                    trunksTaken.insert(m)
                    running[w] = task
                case let .head(m):
                    #expect(trunksDone.contains(m), "head \(m) before its trunk finished")
                    #expect(!headsTaken.contains(m))
                    #expect(!trunksLeft || queue.streaming == 1, "two streams while a trunk was left")
                    headsTaken.insert(m)
                    running[w] = task
                case .wait:
                    #expect(running.contains { if case .trunk = $0 { true } else { false } }, "wait with no trunk running")
                case .done:
                    #expect(headsTaken.count == models)
                    done.insert(w)
                }
            }
            #expect(trunksDone == Set(0..<models) && headsDone == Set(0..<models), "round \(round)")
        }
    }

    /// One worker alone alternates: trunk 0, head 0, trunk 1, head 1, …
    @Test func oneWorkerAlternatesTrunkAndHead() {
        var queue = TrunkHeadQueue(count: 3)
        var order: [TrunkHeadQueue.Task] = []
        while true {
            let task = queue.take()
            if task == .done { break }
            order.append(task)
            queue.finish(task)
        }
        #expect(order == [.trunk(0), .head(0), .trunk(1), .head(1), .trunk(2), .head(2)])
    }
}

/// A seeded generator for the interleavings (Marsaglia's xorshift64).
private struct Xorshift {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
