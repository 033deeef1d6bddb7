import Foundation

/// How per-token losses are averaged into the batch loss; the names and normalisers are TRL's.
public enum LossAggregation: String, Codable, Sendable, Equatable, CaseIterable {
    /// Mean over each completion's tokens, then mean over completions (DeepSeekMath): a token of a
    /// short completion weighs more than one of a long completion.
    case grpo
    /// Sum over a micro-batch's tokens / its token count, averaged over micro-batches.
    case bnpo
    /// Sum over all tokens / (completions × max completion length): a constant normaliser (Dr. GRPO).
    case drGRPO = "dr_grpo"
    /// Sum over all tokens / the step's token count (DAPO): every token weighs the same.
    case dapo
}

/// The GRPO objective per token: the clipped surrogate of PPO (Schulman et al., 2017) on the
/// probability ratio ρ = π_θ / π_old, plus β times the k3 estimate of KL(π_θ ‖ π_ref) (Schulman,
/// "Approximating KL divergence", 2020):
///
///     l = −min(ρ·A, clip(ρ, 1 − ε_low, 1 + ε_high)·A) + β·(exp(ref − logp) − (ref − logp) − 1)
public struct PolicyLoss: Codable, Sendable, Equatable {
    public var clipLow = 0.2
    public var clipHigh = 0.2
    /// β; 0 leaves the reference model out entirely.
    public var klBeta = 0.0
    public var aggregation = LossAggregation.dapo

    public init(clipLow: Double = 0.2, clipHigh: Double = 0.2, klBeta: Double = 0, aggregation: LossAggregation = .dapo) {
        self.clipLow = clipLow; self.clipHigh = clipHigh; self.klBeta = klBeta; self.aggregation = aggregation
    }

    /// One token's loss and its derivative with respect to logp = log π_θ(token).
    public struct Token: Sendable, Equatable {
        public var loss: Double
        public var gradient: Double
        /// The clipped branch was taken with A < 0 and ρ < 1 − ε_low (TRL's `clip_ratio/low`).
        public var clippedLow: Bool
        /// The clipped branch was taken with A > 0 and ρ > 1 + ε_high.
        public var clippedHigh: Bool
        /// The k3 estimate at this token (0 without a reference).
        public var kl: Double
    }

    /// - Parameters:
    ///   - logProb: log π_θ of the token under the current weights.
    ///   - oldLogProb: log π_old, the policy that sampled it (the engine's sampling log-prob).
    ///   - refLogProb: log π_ref, needed when β > 0.
    public func token(logProb: Double, oldLogProb: Double, refLogProb: Double?, advantage a: Double) -> Token {
        let ratio = Foundation.exp(logProb - oldLogProb)
        let clipped = min(max(ratio, 1 - clipLow), 1 + clipHigh)
        // The clipped branch is the minimum only past the clip edge on the side A points to; there
        // its value no longer depends on θ, so the token gives no gradient.
        let low = a < 0 && ratio < 1 - clipLow, high = a > 0 && ratio > 1 + clipHigh
        var loss = -min(ratio * a, clipped * a)
        var gradient = low || high ? 0 : -a * ratio      // d(−ρA)/dlogp = −ρA
        var kl = 0.0
        if klBeta != 0 {
            precondition(refLogProb != nil, "β > 0 needs the reference log-probability")
            let d = refLogProb! - logProb
            kl = Foundation.exp(d) - d - 1
            loss += klBeta * kl
            gradient += klBeta * (1 - Foundation.exp(d))   // d(e^{ref−x} − (ref − x) − 1)/dx = 1 − e^{ref−x}
        }
        return Token(loss: loss, gradient: gradient, clippedLow: low, clippedHigh: high, kl: kl)
    }

    /// The factor each token of a completion carries in the batch loss (loss = Σ factor · l).
    /// - Parameters:
    ///   - completionLengths: (N) tokens per completion over the whole optimizer step.
    ///   - microBatchOf: (N) the micro-batch each completion is trained in (`bnpo` only).
    ///   - maxCompletionLength: the `dr_grpo` constant.
    public func tokenWeights(completionLengths: [Int], microBatchOf: [Int], maxCompletionLength: Int) -> [Double] {
        precondition(completionLengths.count == microBatchOf.count)
        let N = completionLengths.count
        guard N > 0 else { return [] }
        let total = completionLengths.reduce(0, +)
        switch aggregation {
        case .grpo:
            return completionLengths.map { $0 > 0 ? 1 / (Double(N) * Double($0)) : 0 }
        case .dapo:
            return completionLengths.map { _ in total > 0 ? 1 / Double(total) : 0 }
        case .drGRPO:
            return completionLengths.map { _ in 1 / (Double(N) * Double(maxCompletionLength)) }
        case .bnpo:
            var tokens: [Int: Int] = [:]
            for (len, mb) in zip(completionLengths, microBatchOf) { tokens[mb, default: 0] += len }
            let batches = Double(tokens.values.filter { $0 > 0 }.count)
            return zip(completionLengths, microBatchOf).map { _, mb in tokens[mb]! > 0 ? 1 / (Double(tokens[mb]!) * batches) : 0 }
        }
    }
}
