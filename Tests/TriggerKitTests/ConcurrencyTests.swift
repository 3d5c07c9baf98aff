import CertShape
import Foundation
import Testing
import TriggerKit

@Suite struct ConcurrencyTests {
    /// Results from several threads, guarded by a lock.
    ///
    /// `@unchecked Sendable`: `values` is read and changed only under `lock`.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [[Float]] = []
        func add(_ value: [Float]) { lock.withLock { values.append(value) } }
        var all: [[Float]] { lock.withLock { values } }
    }

    /// Eight real threads race to build and use one uncached shape: all must see one pattern.
    @Test func blendingFromManyThreadsAtOnceAgrees() throws {
        let blending = try BuiltPlugins.plugin("blending")
        let (c, h, w) = (3, 96, 80)  // a shape no other test uses, so the cache starts empty
        let results = Results(), done = DispatchGroup(), start = DispatchSemaphore(value: 0)
        for _ in 0..<8 {
            done.enter()
            Thread {
                start.wait()
                var image = [Float](repeating: 0.25, count: c * h * w)
                try? blending.apply(to: &image, shape: ImageShape(channels: c, height: h, width: w), delta: 0.5)
                results.add(image)
                done.leave()
            }.start()
        }
        for _ in 0..<8 { start.signal() }
        done.wait()
        let all = results.all
        #expect(all.count == 8)
        #expect(all.allSatisfy { $0 == all[0] })
        #expect(all[0].contains { $0 != 0.25 })
    }
}
