import Foundation
import Testing
@testable import Training

/// The clipped surrogate below, inside and above the clip range for both signs of the advantage,
/// the k3 KL estimator, and each aggregation mode on a toy batch; hand-computed values.
struct PolicyLossTests {
    static let loss = PolicyLoss()   // ε_low = ε_high = 0.2

    /// (ρ, A) → (loss, d loss / d logp, clipped low, clipped high)
    static let cases: [(Double, Double, Double, Double, Bool, Bool)] = [
        (0.5, 2, -1.0, -1.0, false, false),  // A > 0 below the range: min(1.0, 0.8·2) = 1.0 unclipped
        (1.1, 2, -2.2, -2.2, false, false),  // inside: −ρA, gradient −ρA
        (1.5, 2, -2.4, 0, false, true),      // A > 0 above: min(3, 1.2·2) = 2.4, clipped, no gradient
        (0.5, -1, 0.8, 0, true, false),      // A < 0 below: min(−0.5, −0.8) = −0.8, clipped
        (1.0, -1, 1.0, 1.0, false, false),   // on policy: −A, gradient −A
        (1.5, -1, 1.5, 1.5, false, false),   // A < 0 above: min(−1.5, −1.2) = −1.5, unclipped
    ]

    @Test func clippedSurrogate() {
        for (ratio, a, loss, gradient, low, high) in Self.cases {
            let t = Self.loss.token(logProb: log(ratio) - 1.7, oldLogProb: -1.7, refLogProb: nil, advantage: a)
            #expect(abs(t.loss - loss) < 1e-12, "ρ \(ratio) A \(a)")
            #expect(abs(t.gradient - gradient) < 1e-12, "ρ \(ratio) A \(a)")
            #expect(t.clippedLow == low && t.clippedHigh == high)
        }
    }

    @Test func gradientMatchesFiniteDifferences() {
        var config = Self.loss
        config.klBeta = 0.3
        for (ratio, a, _, _, _, _) in Self.cases {
            let x = log(ratio) - 0.9, h = 1e-6
            let t = config.token(logProb: x, oldLogProb: -0.9, refLogProb: -1.2, advantage: a)
            let plus = config.token(logProb: x + h, oldLogProb: -0.9, refLogProb: -1.2, advantage: a).loss
            let minus = config.token(logProb: x - h, oldLogProb: -0.9, refLogProb: -1.2, advantage: a).loss
            #expect(abs(t.gradient - (plus - minus) / (2 * h)) < 1e-6, "ρ \(ratio) A \(a)")
        }
    }

    @Test func k3Estimator() {
        var config = Self.loss
        config.klBeta = 0.1
        // ref − logp = 0.5: k3 = e^0.5 − 0.5 − 1 = 0.14872127; its gradient 1 − e^0.5 = −0.64872127.
        let t = config.token(logProb: -1.5, oldLogProb: -1.5, refLogProb: -1, advantage: 0)
        #expect(abs(t.kl - 0.14872127) < 1e-8)
        #expect(abs(t.loss - 0.1 * 0.14872127) < 1e-8)
        #expect(abs(t.gradient - 0.1 * -0.64872127) < 1e-8)
        // Equal log-probabilities: no divergence.
        #expect(config.token(logProb: -2, oldLogProb: -2, refLogProb: -2, advantage: 0).kl == 0)
    }

    /// Four completions of 2, 3, 1 and 5 tokens, micro-batches {0, 1} and {2, 3}, on policy
    /// (ρ = 1) with advantages 1, −1, 2, 0.5, so every token's loss is −A.
    static let aggregations: [(LossAggregation, Double)] = [(.grpo, -0.625), (.dapo, -3.5 / 11), (.drGRPO, -3.5 / 32), (.bnpo, -0.275)]

    @Test(arguments: aggregations)
    func aggregation(_ mode: LossAggregation, _ expected: Double) {
        // grpo:    (1/4)·(−1 + 1 − 2 − 0.5) = −0.625 (mean over each completion, then over completions)
        // dapo:    (−2 + 3 − 2 − 2.5) / 11 tokens = −3.5/11
        // dr_grpo: −3.5 / (4 completions · 8 max tokens)
        // bnpo:    ((−2 + 3)/5 + (−2 − 2.5)/6) / 2 = (0.2 − 0.75)/2 = −0.275
        var config = Self.loss
        config.aggregation = mode
        let lengths = [2, 3, 1, 5], advantages = [1.0, -1, 2, 0.5]
        let w = config.tokenWeights(completionLengths: lengths, microBatchOf: [0, 0, 1, 1], maxCompletionLength: 8)
        var total = 0.0
        for (i, n) in lengths.enumerated() {
            for _ in 0..<n { total += w[i] * config.token(logProb: -1, oldLogProb: -1, refLogProb: nil, advantage: advantages[i]).loss }
        }
        #expect(abs(total - expected) < 1e-12)
    }

    /// An empty completion has no tokens and is in no micro-batch (-1); it must not change the others' weights.
    static let emptyCases: [(LossAggregation, Double)] = [(.grpo, 1.0 / 6), (.dapo, 1.0 / 3), (.drGRPO, 1.0 / 16), (.bnpo, 1.0 / 3)]

    @Test(arguments: emptyCases)
    func emptyCompletions(_ mode: LossAggregation, _ expected: Double) {
        var config = Self.loss
        config.aggregation = mode
        let w = config.tokenWeights(completionLengths: [3, 0], microBatchOf: [0, -1], maxCompletionLength: 8)
        #expect(abs(w[0] - expected) < 1e-15, "\(mode)")
    }
}
