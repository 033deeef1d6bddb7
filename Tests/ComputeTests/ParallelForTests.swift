import Compute
import Dispatch
import Testing

struct ParallelForTests {
    /// Every index is visited exactly once, whatever the count and chunk size.
    @Test(arguments: [0, 1, 2, 3, 17, 1000], [1, 4])
    func coversEveryIndexOnce(count: Int, minChunk: Int) {
        let visits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        defer { visits.deallocate() }
        visits.initialize(repeating: 0, count: max(count, 1))
        for _ in 0..<50 {
            Parallel.forEach(count: count, minChunk: minChunk) { range in
                for i in range { visits[i] += 1 }
            }
        }
        #expect((0..<count).allSatisfy { visits[$0] == 50 })
    }

    /// Many threads calling at once (the persistent team serves one, the others fall back to
    /// Dispatch), and calls nested inside a job, all finish with every index done once.
    @Test func concurrentAndNestedCallsComplete() {
        let callers = 8, calls = 200, count = 64
        let sums = UnsafeMutablePointer<Int>.allocate(capacity: callers)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: callers)
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            let cells = UnsafeMutablePointer<Int>.allocate(capacity: count)
            defer { cells.deallocate() }
            for _ in 0..<calls {
                cells.initialize(repeating: 0, count: count)
                Parallel.forEach(count: count, minChunk: 8) { outer in
                    Parallel.forEach(count: outer.count, minChunk: 2) { inner in
                        for i in inner { cells[outer.lowerBound + i] += 1 }
                    }
                }
                sums[caller] += (0..<count).reduce(0) { $0 + cells[$1] }
            }
        }
        #expect((0..<callers).allSatisfy { sums[$0] == calls * count })
    }
}
