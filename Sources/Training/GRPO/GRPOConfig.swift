/// Every knob of a GRPO run; written to the run directory as `config.json`.
public struct GRPOConfig: Codable, Sendable, Equatable {
    // Rollouts.
    /// B, prompts per optimizer step.
    public var promptsPerStep = 4
    /// G, completions per prompt (one `generate` call with n = G).
    public var groupSize = 4
    public var temperature = 0.8
    public var maxNewTokens = 128
    /// Tokens that end a completion besides the tokenizer's end-of-generation tokens.
    public var stopTokenIds: [Int32] = []

    // Reward and advantages.
    public var reward = RewardConfig()
    public var advantageScaling = AdvantageScaling.group
    public var advantageEpsilon = 1e-4

    // Loss and optimisation.
    public var loss = PolicyLoss()
    /// μ, optimizer steps on each batch of rollouts (PPO-style reuse; 1 is on-policy).
    public var policyIterations = 1
    /// Completions per forward/backward; gradients accumulate over the micro-batches of a step.
    public var microBatchSize = 4
    /// Recompute each block's activations in backward (less memory, one more forward).
    public var recompute = false
    public var mode: TrainingMode
    public var optimizer: AdamWConfig
    /// Optimizer steps of the run.
    public var steps = 50
    /// Seeds the LoRA initialisation, the prompt order, the sampling and the dropout.
    public var seed: UInt64 = 0

    /// Defaults: LoRA rank 16 (alpha 32) at learning rate 1e-5, or full fine-tuning (fp32 master
    /// weights) at 1e-6 (the original's and TRL's); gradients clipped to global norm 1.
    public init(mode: TrainingMode = .lora(LoRAConfig(rank: 16)), learningRate: Double? = nil) {
        self.mode = mode
        optimizer = AdamWConfig(learningRate: learningRate ?? Self.defaultLearningRate(mode), maxGradientNorm: 1)
    }

    public static func defaultLearningRate(_ mode: TrainingMode) -> Double {
        if case .lora = mode { return 1e-5 }
        return 1e-6
    }

    /// Throws `GRPOError.invalidConfig` naming the first value out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw GRPOError.invalidConfig(name: name, value: "\(value)", expected: expected) }
        }
        try check(promptsPerStep >= 1, "promptsPerStep", promptsPerStep, "at least 1")
        try check(groupSize >= 2, "groupSize", groupSize, "at least 2 (a group of one has no relative advantage)")
        try check(temperature > 0 && temperature.isFinite, "temperature", temperature, "a finite number > 0 (GRPO samples)")
        try check(maxNewTokens >= 1, "maxNewTokens", maxNewTokens, "at least 1")
        try check(advantageEpsilon >= 0, "advantageEpsilon", advantageEpsilon, ">= 0")
        try check(loss.clipLow >= 0 && loss.clipLow < 1, "clipLow", loss.clipLow, "a number in [0, 1)")
        try check(loss.clipHigh >= 0, "clipHigh", loss.clipHigh, ">= 0")
        try check(loss.klBeta >= 0 && loss.klBeta.isFinite, "klBeta", loss.klBeta, "a finite number >= 0")
        try check(policyIterations >= 1, "policyIterations", policyIterations, "at least 1")
        try check(microBatchSize >= 1, "microBatchSize", microBatchSize, "at least 1")
        try check(optimizer.learningRate > 0 && optimizer.learningRate.isFinite, "learningRate", optimizer.learningRate, "a finite number > 0")
        try check(steps >= 0, "steps", steps, ">= 0")
        if case let .targetPasses(ms) = reward.latency {
            try check(ms > 0 && ms.isFinite, "millisecondsPerPass", ms, "a finite number > 0")
        }
        let w = reward.weights
        for (name, value) in [("latency", w.latency), ("length", w.length), ("kvMemory", w.kvMemory), ("acceptRate", w.acceptRate), ("cacheReuse", w.cacheReuse)] {
            try check(value.isFinite, "reward weight \(name)", value, "a finite number")
        }
    }
}
