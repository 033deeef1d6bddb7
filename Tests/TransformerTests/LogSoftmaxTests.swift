import Testing
import Transformer

struct LogSoftmaxTests {
    /// `greedy` gives the bits of `argmax` and `row[argmax] − logPartition`: on random rows of odd
    /// lengths, with the largest value planted twice (the first wins), in the scalar tail, and at
    /// index 0; a row holding NaN takes the scalar path.
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
            let slice = row[...]
            let (token, logprob) = LogSoftmax.greedy(slice)
            let expected = LogSoftmax.argmax(slice)
            #expect(token == expected, "row \(i)")
            let want = Double(row[Int(expected)]) - LogSoftmax.logPartition(slice)
            #expect(logprob.bitPattern == want.bitPattern || (logprob.isNaN && want.isNaN), "row \(i): \(logprob) vs \(want)")
        }
    }
}
