import Foundation

/// What the engine and the task scorer measured for one completion: the raw inputs of the reward.
public struct CompletionMeasurement: Codable, Sendable, Equatable {
    /// In [0, 1], from the task scorer.
    public var taskScore: Double
    public var latencyMs: Double
    public var generatedTokens: Int
    public var kvMiB: Double
    /// nil when nothing was drafted.
    public var acceptRate: Double?
    /// Prefix-cache hit tokens / prompt tokens.
    public var cacheReuse: Double

    public init(taskScore: Double, latencyMs: Double, generatedTokens: Int, kvMiB: Double, acceptRate: Double?, cacheReuse: Double) {
        self.taskScore = taskScore; self.latencyMs = latencyMs; self.generatedTokens = generatedTokens
        self.kvMiB = kvMiB; self.acceptRate = acceptRate; self.cacheReuse = cacheReuse
    }
}

/// The six terms of the reward; the raw value names are the ones logged.
public enum RewardTerm: String, CaseIterable, Codable, Sendable {
    case task
    case latency
    case length
    case kvMemory = "kv_memory"
    case acceptRate = "accept_rate"
    case cacheReuse = "cache_reuse"

    /// The signed weight of the term: costs are negative.
    func weight(_ w: RewardWeights) -> Double {
        switch self {
        case .task: 1
        case .latency: -w.latency
        case .length: -w.length
        case .kvMemory: -w.kvMemory
        case .acceptRate: w.acceptRate
        case .cacheReuse: w.cacheReuse
        }
    }

    /// The raw value of the term for `m`; nil when it is left out (see `RewardConfig`).
    func value(_ m: CompletionMeasurement, _ config: RewardConfig) -> Double? {
        if self != .task && config.gateOnTaskSuccess && m.taskScore < 1 { return nil }
        switch self {
        case .task: return m.taskScore
        case .latency: return m.latencyMs
        case .length: return Double(m.generatedTokens)
        case .kvMemory: return m.kvMiB
        case .acceptRate: return m.acceptRate ?? (config.missingAcceptRateIsZero ? 0 : nil)
        case .cacheReuse: return m.cacheReuse
        }
    }
}

/// Rewards of a batch of groups, with each term's weighted contribution for the logs.
public struct RewardBreakdown: Sendable, Equatable {
    /// One reward per completion, group after group.
    public var rewards: [Double]
    /// Per term and completion: weight · raw value, 0 where the term is left out.
    public var contributions: [RewardTerm: [Double]]
}

/// The inference-aware reward: task correctness beside what decoding the completion cost.
public enum InferenceReward {
    /// - Parameters:
    ///   - measurements: one per completion, group after group.
    ///   - groupSizes: completions of each prompt.
    /// - Throws: `GRPOError.nonFiniteReward` when a term or a reward is NaN or infinite.
    public static func compute(_ measurements: [CompletionMeasurement], groupSizes: [Int], config: RewardConfig) throws -> RewardBreakdown {
        let groups = GroupAdvantages.ranges(groupSizes)
        precondition(groups.last?.upperBound == measurements.count, "measurements must fill the groups")
        let N = measurements.count
        var contributions: [RewardTerm: [Double]] = [:]
        var raw: [RewardTerm: [Double?]] = [:]
        for term in RewardTerm.allCases {
            let w = term.weight(config.weights)
            let values = measurements.map { term.value($0, config) }
            for (i, v) in values.enumerated() where v.map({ !$0.isFinite }) ?? false {
                throw GRPOError.nonFiniteReward(completion: i, term: term.rawValue, value: v!)
            }
            raw[term] = values
            contributions[term] = values.map { ($0 ?? 0) * w }
        }
        var rewards = [Double](repeating: 0, count: N)
        switch config.aggregation {
        case .sumThenNormalize:
            for term in RewardTerm.allCases {
                for i in 0..<N { rewards[i] += contributions[term]![i] }
            }
        case .normalizeThenSum:
            for term in RewardTerm.allCases {
                let w = term.weight(config.weights), values = raw[term]!
                for group in groups {
                    let present = group.compactMap { values[$0] }
                    let (mean, std) = GroupAdvantages.meanAndStd(present)
                    for i in group {
                        if let v = values[i] { rewards[i] += w * (v - mean) / (std + config.normalizationEpsilon) }
                    }
                }
            }
        }
        for (i, r) in rewards.enumerated() where !r.isFinite {
            throw GRPOError.nonFiniteReward(completion: i, term: "reward", value: r)
        }
        return RewardBreakdown(rewards: rewards, contributions: contributions)
    }

    /// Groups of `groupSize` completions each.
    public static func compute(_ measurements: [CompletionMeasurement], groupSize: Int, config: RewardConfig) throws -> RewardBreakdown {
        precondition(groupSize >= 1 && measurements.count % groupSize == 0, "measurements must fill whole groups")
        return try compute(measurements, groupSizes: Array(repeating: groupSize, count: measurements.count / groupSize), config: config)
    }
}
