/// Verification of drafted tokens by the rule of Leviathan et al., "Fast Inference from
/// Transformers via Speculative Decoding" (arXiv 2211.17192), Algorithm 1: draft x ~ q is kept
/// with probability min(1, p(x)/q(x)); on rejection the token is drawn from
/// norm(max(0, p − q)). The emitted token is then distributed exactly as p. A proposer without
/// a distribution (n-gram lookup) is a point mass q = δ(x), so x is kept with probability p(x) and
/// the replacement comes from p with x removed.
public enum RejectionSampler {
    public enum Verdict: Equatable {
        case accepted
        /// The draft was rejected and `token` drawn from the residual distribution in its place.
        case rejected(replacement: Int32)
    }

    /// One draft position. `q` nil means a point mass on `draft`.
    public static func verify(draft: Int32, target p: TokenDistribution, draft q: TokenDistribution?,
                              _ rng: inout RandomSource) -> Verdict {
        let qx = q?[draft] ?? 1
        let px = p[draft]
        // Accept iff u < p/q, written without the division; qx > 0 because x was drawn from q.
        if qx > 0 && rng.uniform() * qx < px { return .accepted }
        var residual = p.probabilities, total = 0.0
        if let q {
            for j in residual.indices {
                residual[j] = max(0, residual[j] - q.probabilities[j])
                total += residual[j]
            }
        } else {
            residual[Int(draft)] = 0
            total = 1 - px
        }
        // p == q leaves no residual mass, but then rejection had probability 0; draw from p.
        if !(total > 0) { return .rejected(replacement: p.sample(&rng)) }
        return .rejected(replacement: TokenDistribution.sample(residual, total: total, &rng))
    }
}
