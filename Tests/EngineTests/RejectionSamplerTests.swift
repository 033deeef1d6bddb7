import Testing
@testable import Engine

/// Acceptance 3a: the token emitted by one verification position (accepted draft or residual draw)
/// is distributed as the target, for a draft model's q and for a point-mass (n-gram) draft.
struct RejectionSamplerTests {
    static let p = TokenDistribution(probabilities: [0.30, 0.05, 0.20, 0.0, 0.15, 0.10, 0.12, 0.08])
    static let q = TokenDistribution(probabilities: [0.05, 0.30, 0.10, 0.20, 0.15, 0.02, 0.08, 0.10])

    /// Pearson's statistic of `counts` against `expected` probabilities (zero cells skipped, their
    /// counts must be zero).
    func chiSquare(_ counts: [Int], _ expected: TokenDistribution, draws: Int) -> (stat: Double, df: Int) {
        var stat = 0.0, cells = 0
        for (i, c) in counts.enumerated() {
            let e = expected.probabilities[i] * Double(draws)
            if e == 0 {
                #expect(c == 0, "token \(i) has probability 0 but was drawn \(c) times")
                continue
            }
            stat += (Double(c) - e) * (Double(c) - e) / e
            cells += 1
        }
        return (stat, cells - 1)
    }

    @Test func draftModelRuleReproducesTarget() {
        var rng = RandomSource(seed: 11)
        let draws = 200_000
        var counts = [Int](repeating: 0, count: 8), accepted = 0
        for _ in 0..<draws {
            let x = Self.q.sample(&rng)
            switch RejectionSampler.verify(draft: x, target: Self.p, draft: Self.q, &rng) {
            case .accepted:
                counts[Int(x)] += 1
                accepted += 1
            case let .rejected(t): counts[Int(t)] += 1
            }
        }
        let (stat, df) = chiSquare(counts, Self.p, draws: draws)
        #expect(stat < TinyModels.chiSquareCritical(df: df), "chi-square \(stat) with \(df) df")
        // Expected acceptance Σ min(p, q) = 0.53.
        #expect(abs(Double(accepted) / Double(draws) - 0.53) < 0.005)
    }

    @Test func pointMassDraftReproducesTarget() {
        var rng = RandomSource(seed: 12)
        let draws = 200_000
        var counts = [Int](repeating: 0, count: 8)
        for i in 0..<draws {
            let x = Int32(i % 8)  // a proposer without a distribution, any token
            switch RejectionSampler.verify(draft: x, target: Self.p, draft: nil, &rng) {
            case .accepted: counts[Int(x)] += 1
            case let .rejected(t):
                #expect(t != x)
                counts[Int(t)] += 1
            }
        }
        // Per drafted token x the output is p exactly, so the mixture over x is p too.
        let (stat, df) = chiSquare(counts, Self.p, draws: draws)
        #expect(stat < TinyModels.chiSquareCritical(df: df), "chi-square \(stat) with \(df) df")
    }

    @Test func identicalDistributionsAlwaysAccept() {
        var rng = RandomSource(seed: 3)
        for _ in 0..<1000 {
            let x = Self.p.sample(&rng)
            #expect(RejectionSampler.verify(draft: x, target: Self.p, draft: Self.p, &rng) == .accepted)
        }
    }
}
