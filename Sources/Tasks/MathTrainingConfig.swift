import Curriculum
import Training

/// Settings of `specgrpo train-math`; defaults are the original GSM8K script's where it had one.
public struct MathTrainingConfig: Codable, Sendable, Equatable {
    /// Training problems, a seeded subset of the training file; nil: all.
    public var maxTrainSamples: Int? = 500
    public var numEpochs = 20
    /// Stop after this many evaluations in a row without a new best accuracy.
    public var earlyStopPatience = 3
    /// Evaluate after every this many epochs.
    public var evalEvery = 1
    /// Evaluation problems, a fixed seeded subset of the test file; nil: all.
    public var evalSamples: Int? = 100
    /// Tokens per evaluation answer at most.
    public var evalMaxNewTokens = 512
    /// Evaluation problems decoded together (the engine's batch): more rows per pass over the
    /// weights is most of the CPU engine's throughput.
    public var evalConcurrency = 64
    /// Give harder buckets more rollouts (off: every problem gets `grpo.groupSize`).
    public var curriculum = true
    /// Reward the answer's correctness only (the inference terms' weights are set to 0).
    public var correctnessOnly = false
    /// The curriculum: batch size 4, 4 base rollouts, α 1.5, 3 buckets, EMA decay 0.7, one warm-up epoch.
    public var scheduler: SchedulerConfig
    /// Rollouts, reward, loss and optimiser; `promptsPerStep` is taken from the scheduler's batch size.
    public var grpo: GRPOConfig
    public var systemPrompt = MathPrompt.defaultSystemPrompt
    /// Seeds the subsets, the curriculum's shuffles and everything `grpo.seed` seeds.
    public var seed: UInt64 = 0

    public init(mode: TrainingMode = .lora(LoRAConfig(rank: 16))) {
        // The scheduler's own validation cannot fail for these constants.
        scheduler = try! SchedulerConfig(emaDecay: 0.7, difficultySignal: .taskScore, bucketizer: .defaults,
                                         rollouts: .defaults, batchSize: 4, warmUpEpochs: 1)
        grpo = GRPOConfig(mode: mode)
        grpo.maxNewTokens = 512
        grpo.promptsPerStep = 4
        grpo.groupSize = 4
    }

    /// The GRPO settings actually used: batch size from the scheduler, and zero inference weights
    /// when only correctness is rewarded.
    public var resolvedGRPO: GRPOConfig {
        var g = grpo
        g.promptsPerStep = scheduler.batchSize
        g.seed = seed
        if correctnessOnly { g.reward.weights = RewardWeights(latency: 0, length: 0, kvMemory: 0, acceptRate: 0, cacheReuse: 0) }
        return g
    }

    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw GRPOError.invalidConfig(name: name, value: "\(value)", expected: expected) }
        }
        try check((maxTrainSamples ?? 1) >= 1, "maxTrainSamples", maxTrainSamples as Any, "at least 1")
        try check(numEpochs >= 1, "numEpochs", numEpochs, "at least 1")
        try check(earlyStopPatience >= 1, "earlyStopPatience", earlyStopPatience, "at least 1")
        try check(evalEvery >= 1, "evalEvery", evalEvery, "at least 1")
        try check((evalSamples ?? 1) >= 1, "evalSamples", evalSamples as Any, "at least 1")
        try check(evalMaxNewTokens >= 1, "evalMaxNewTokens", evalMaxNewTokens, "at least 1")
        try check(evalConcurrency >= 1, "evalConcurrency", evalConcurrency, "at least 1")
        try scheduler.validate()
        try resolvedGRPO.validate()
    }
}
