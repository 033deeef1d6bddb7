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
        /// One advantage per completion.
        public var advantages: [Double]
        /// (B) the sample std of each group's rewards.
        public var groupStds: [Double]
        /// Share of groups whose rewards are all equal: they carry no learning signal under GRPO.
        public var fractionZeroStd: Double
    }

    /// - Parameters:
    ///   - rewards: one per completion, group after group.
    ///   - groupSizes: completions of each prompt (groups may differ in size: the curriculum gives
    ///     harder prompts more rollouts).
    ///   - epsilon: keeps a zero-spread group finite (its advantages are then 0).
    public static func compute(_ rewards: [Double], groupSizes: [Int], scaling: AdvantageScaling, epsilon: Double) -> Result {
        let groups = ranges(groupSizes)
        precondition(!groups.isEmpty && groups.last!.upperBound == rewards.count, "rewards must fill the groups")
        var advantages = [Double](repeating: 0, count: rewards.count)
        var stds: [Double] = []
        var zero = 0
        for group in groups {
            let (mean, std) = meanAndStd(Array(rewards[group]))
            stds.append(std)
            // Rewards equal to the last bits count as equal: a sum of the same terms in another
            // order is not a learning signal.
            if std <= 1e-12 * max(1, abs(mean)) { zero += 1 }
            for i in group {
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

    /// Groups of `groupSize` completions each.
    public static func compute(_ rewards: [Double], groupSize: Int, scaling: AdvantageScaling, epsilon: Double) -> Result {
        precondition(groupSize >= 1 && rewards.count % groupSize == 0, "rewards must fill whole groups")
        return compute(rewards, groupSizes: Array(repeating: groupSize, count: rewards.count / groupSize), scaling: scaling, epsilon: epsilon)
    }

    /// The index ranges of consecutive groups of the given sizes.
    static func ranges(_ sizes: [Int]) -> [Range<Int>] {
        var start = 0
        return sizes.map { n in
            precondition(n >= 1, "a group needs at least one completion")
            defer { start += n }
            return start..<(start + n)
        }
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
