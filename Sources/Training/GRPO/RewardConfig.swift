/// The weights of the inference-aware reward (the original project's defaults):
///
///     reward = task_score − α·latency_ms − β·generated_tokens − γ·kv_memory_MiB + δ·accept_rate + ε·cache_reuse_ratio
public struct RewardWeights: Codable, Sendable, Equatable {
    /// α, per millisecond of latency.
    public var latency = 0.001
    /// β, per generated token.
    public var length = 0.001
    /// γ, per MiB of KV cache.
    public var kvMemory = 0.01
    /// δ, on the accept rate (0...1) of the drafted tokens.
    public var acceptRate = 1.0
    /// ε, on the fraction of the prompt served from the prefix cache.
    public var cacheReuse = 0.5

    public init(latency: Double = 0.001, length: Double = 0.001, kvMemory: Double = 0.01, acceptRate: Double = 1.0, cacheReuse: Double = 0.5) {
        self.latency = latency; self.length = length; self.kvMemory = kvMemory; self.acceptRate = acceptRate; self.cacheReuse = cacheReuse
    }
}

/// How a completion's latency is measured.
public enum LatencyMeasure: Codable, Sendable, Equatable {
    /// Engine wall-clock time from the request being queued to the completion's last token, as the
    /// original. On a shared 2-core CPU it is mostly scheduling noise, and it grows with whatever
    /// else runs in the same batch.
    case wallClock
    /// (target forward passes that produced the completion's tokens) × `millisecondsPerPass`: the
    /// prefill pass plus one per decode or verification step. Deterministic for a seed; it falls
    /// with both fewer tokens and more accepted drafts, which is what the wall clock measures on
    /// an idle accelerator.
    case targetPasses(millisecondsPerPass: Double)

    /// The default: a pass costs 25 ms, the order of a 1.5B decode step in the original's setting,
    /// so that α keeps the original's scale.
    public static let `default` = LatencyMeasure.targetPasses(millisecondsPerPass: 25)
}

/// How a completion's KV-cache memory is measured.
public enum KVMemoryMeasure: String, Codable, Sendable, Equatable, CaseIterable {
    /// The original's analytical formula over prompt + generated tokens (`KVEstimate`).
    case estimate
    /// The most bytes the completion's block tables held at once (target and draft, shared prompt
    /// blocks included, rounded up to whole blocks).
    case heldBlocks = "held-blocks"
}

/// How the weighted terms become one reward per completion.
public enum RewardAggregation: String, Codable, Sendable, Equatable, CaseIterable {
    /// Add the weighted raw terms, then normalise the sum into advantages (the original; TRL's default).
    case sumThenNormalize = "sum-then-normalize"
    /// Standardise each term within its prompt's group, weight and add (GDPO; TRL's
    /// `normalize_then_sum`): a term's raw scale no longer decides its influence, only its weight.
    case normalizeThenSum = "normalize-then-sum"
}

/// Everything that turns measurements into rewards.
public struct RewardConfig: Codable, Sendable, Equatable {
    public var weights = RewardWeights()
    public var latency = LatencyMeasure.default
    public var kvMemory = KVMemoryMeasure.estimate
    /// When nothing was drafted for a completion its accept rate is unknown: leave the term out
    /// (false, the default) or count it as 0 (the original's behaviour).
    public var missingAcceptRateIsZero = false
    public var aggregation = RewardAggregation.sumThenNormalize
    /// Apply the five inference terms only to completions whose task score is 1, so that a short,
    /// cheap, wrong answer cannot beat a correct one on cost alone.
    public var gateOnTaskSuccess = false
    /// The ε of per-term standardisation (`normalizeThenSum`).
    public var normalizationEpsilon = 1e-4

    public init(weights: RewardWeights = RewardWeights(), latency: LatencyMeasure = .default, kvMemory: KVMemoryMeasure = .estimate,
                missingAcceptRateIsZero: Bool = false, aggregation: RewardAggregation = .sumThenNormalize,
                gateOnTaskSuccess: Bool = false, normalizationEpsilon: Double = 1e-4) {
        self.weights = weights; self.latency = latency; self.kvMemory = kvMemory
        self.missingAcceptRateIsZero = missingAcceptRateIsZero; self.aggregation = aggregation
        self.gateOnTaskSuccess = gateOnTaskSuccess; self.normalizationEpsilon = normalizationEpsilon
    }
}
