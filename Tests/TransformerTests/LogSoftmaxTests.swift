import Compute
import Foundation
import Testing
import Transformer

struct LogSoftmaxTests {
    /// `argmax`, `logPartition` and `greedy` give the bits of the scalar definitions (the first
    /// index of the largest logit by `>`; max + log Σ e^(x − max) with the maximum taken by
    /// `Sequence.max`): on random rows of odd lengths, with the largest value planted twice (the
    /// first wins), in the scalar tail, and at index 0; a row holding NaN takes the scalar path.
    @Test(arguments: [1, 17, 1000, 151_936])
    func greedyMatchesArgmaxAndPartition(n: Int) {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D &* UInt64(n)
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 30 - 20
        }
        var rows = [(0..<n).map { _ in next() }]
        if n > 3 {
            var tie = rows[0]
            tie[n / 3] = 50
            tie[2 * n / 3] = 50
            var tail = rows[0]
            tail[n - 1] = 60
            var first = rows[0]
            first[0] = 70
            var nan = rows[0]
            nan[n / 2] = .nan
            rows += [tie, tail, first, nan]
        }
        for (i, row) in rows.enumerated() {
            var best = 0
            for j in row.indices where row[j] > row[best] { best = j }
            let m = row.max()!
            let logZ = Double(m) + Foundation.log(row.withUnsafeBufferPointer { Vector.sumExp($0.baseAddress!, n, shift: m) })
            let slice = row[...]
            #expect(LogSoftmax.argmax(slice) == Int32(best), "row \(i)")
            let partition = LogSoftmax.logPartition(slice)
            #expect(partition.bitPattern == logZ.bitPattern || (partition.isNaN && logZ.isNaN), "row \(i): \(partition) vs \(logZ)")
            let (token, logprob) = LogSoftmax.greedy(slice)
            let want = Double(row[best]) - logZ
            #expect(token == Int32(best), "row \(i)")
            #expect(logprob.bitPattern == want.bitPattern || (logprob.isNaN && want.isNaN), "row \(i): \(logprob) vs \(want)")
        }
    }
}
