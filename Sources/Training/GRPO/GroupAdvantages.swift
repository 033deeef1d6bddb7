import Foundation

/// How rewards become advantages.
public enum AdvantageScaling: String, Codable, Sendable, Equatable, CaseIterable {
    /// (r − group mean) / (group std + ε): GRPO (Shao et al., DeepSeekMath, 2024).
    case group
    /// r − group mean, no division: Dr. GRPO (Liu et al., 2025), which argues the std scaling
    /// over-weights groups whose rewards barely differ.
    case none
    /// (r − batch mean) / (batch std + ε) over every completion of the step: what the original
    /// project did (not group-relative; kept for comparison).
    case batch
}

/// Group-relative advantages: each completion is compared with the other completions of its prompt.
public enum GroupAdvantages {
    public struct Result: Sendable, Equatable {
        /// (B·G) one advantage per completion.
        public var advantages: [Double]
        /// (B) the sample std of each group's rewards.
        public var groupStds: [Double]
        /// Share of groups whose rewards are all equal: they carry no learning signal under GRPO.
        public var fractionZeroStd: Double
    }

    /// - Parameters:
    ///   - rewards: (B·G) group after group.
    ///   - epsilon: keeps a zero-spread group finite (its advantages are then 0).
    public static func compute(_ rewards: [Double], groupSize G: Int, scaling: AdvantageScaling, epsilon: Double) -> Result {
        precondition(G >= 1 && rewards.count % G == 0 && !rewards.isEmpty, "rewards must fill whole groups")
        var advantages = [Double](repeating: 0, count: rewards.count)
        var stds: [Double] = []
        var zero = 0
        for g in stride(from: 0, to: rewards.count, by: G) {
            let (mean, std) = meanAndStd(Array(rewards[g..<(g + G)]))
            stds.append(std)
            // Rewards equal to the last bits count as equal: a sum of the same terms in another
            // order is not a learning signal.
            if std <= 1e-12 * max(1, abs(mean)) { zero += 1 }
            for i in g..<(g + G) {
                switch scaling {
                case .group: advantages[i] = (rewards[i] - mean) / (std + epsilon)
                case .none: advantages[i] = rewards[i] - mean
                case .batch: break
                }
            }
        }
        if scaling == .batch {
            let (mean, std) = meanAndStd(rewards)
            for i in rewards.indices { advantages[i] = (rewards[i] - mean) / (std + epsilon) }
        }
        return Result(advantages: advantages, groupStds: stds, fractionZeroStd: Double(zero) / Double(stds.count))
    }

    /// Mean and sample standard deviation (n − 1 in the denominator, as `torch.std`, which TRL and
    /// the original use); the std is 0 for fewer than two values. Sums in index order.
    static func meanAndStd(_ x: [Double]) -> (mean: Double, std: Double) {
        guard !x.isEmpty else { return (0, 0) }
        let mean = x.reduce(0, +) / Double(x.count)
        guard x.count >= 2 else { return (mean, 0) }
        let ss = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(x.count - 1)).squareRoot())
    }
}
