import Foundation
import Testing
@testable import Engine

struct TokenDistributionTests {
    let logits: [Float] = [2.0, 1.0, 0.5, 0.5, -1.0, 3.0]

    @Test func temperatureSoftmax() {
        let d = TokenDistribution(logits: logits, temperature: 0.5)
        let e = logits.map { Foundation.exp(Double($0) / 0.5) }, z = e.reduce(0, +)
        for i in 0..<logits.count { #expect(abs(d.probabilities[i] - e[i] / z) < 1e-12) }
    }

    @Test func topKKeepsTiesAtThreshold() {
        let d = TokenDistribution(logits: logits, temperature: 1, topK: 3)
        #expect(d.probabilities.map { $0 > 0 } == [true, true, false, false, false, true])
        let d4 = TokenDistribution(logits: logits, temperature: 1, topK: 4)
        #expect(d4.probabilities.filter { $0 > 0 }.count == 5)  // 0.5 ties
        #expect(abs(d4.probabilities.reduce(0, +) - 1) < 1e-12)
    }

    @Test func topPKeepsSmallestSetReachingMass() {
        let full = TokenDistribution(logits: logits, temperature: 1)
        let d = TokenDistribution(logits: logits, temperature: 1, topP: 0.85)
        // 3.0 alone has ~0.59, with 2.0 ~0.81, with 1.0 ~0.89 ≥ 0.85.
        #expect(full.probabilities[5] + full.probabilities[0] < 0.85)
        #expect(d.probabilities.map { $0 > 0 } == [true, true, false, false, false, true])
        #expect(abs(d.probabilities.reduce(0, +) - 1) < 1e-12)
    }

    @Test func samplingIsSeededAndMatchesFrequencies() {
        let d = TokenDistribution(logits: logits, temperature: 1)
        var a = RandomSource(seed: 5), b = RandomSource(seed: 5)
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<100_000 {
            let x = d.sample(&a)
            #expect(x == d.sample(&b))
            counts[Int(x)] += 1
        }
        for i in 0..<logits.count { #expect(abs(Double(counts[i]) / 1e5 - d.probabilities[i]) < 0.006) }
    }

    @Test func streamsDiffer() {
        var a = RandomSource(seed: 1, stream: 0), b = RandomSource(seed: 1, stream: 1)
        #expect(a.next() != b.next())
        var u = RandomSource(seed: 9)
        for _ in 0..<1000 {
            let x = u.uniform()
            #expect(x >= 0 && x < 1)
        }
    }
}

extension TokenDistributionTests {
    /// top-p on a long, flat-tailed row keeps exactly the sorted-prefix nucleus.
    @Test func topPOnLargeVocabularyMatchesFullSort() {
        var rng = RandomSource(seed: 77)
        let row = (0..<5000).map { _ in Float(rng.uniform() * 6 - 3) }
        for topP in [0.1, 0.5, 0.9, 0.999] {
            let d = TokenDistribution(logits: row, temperature: 0.7, topP: topP)
            let full = TokenDistribution(logits: row, temperature: 0.7)
            let order = full.probabilities.indices.sorted { full.probabilities[$0] > full.probabilities[$1] }
            var mass = 0.0, keep = 0
            while mass < topP { mass += full.probabilities[order[keep]]; keep += 1 }
            #expect(Set(order.prefix(keep)) == Set(d.probabilities.indices.filter { d.probabilities[$0] > 0 }))
        }
    }
}
