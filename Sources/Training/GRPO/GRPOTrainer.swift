import Engine
import Foundation
import Tokenization
import Transformer

/// What one GRPO step did: the rollouts with their rewards and advantages, and the metrics logged
/// for it (TRL's names where TRL has one).
public struct GRPOStepReport: Sendable {
    /// Optimizer steps taken after this one.
    public var step: Int
    public var rollouts: [Rollout]
    public var rewards: [Double]
    public var advantages: [Double]
    public var metrics: [String: Double]
}

/// Group Relative Policy Optimization (Shao et al., DeepSeekMath, 2024) with the inference-aware
/// reward. Each step: B prompts × G completions from the engine (speculative decoding on, the
/// policy as target) → score and measure each completion → group advantages → the clipped
/// surrogate on the generated token ids, gradients accumulated over micro-batches → AdamW → the
/// engine's model sees the new weights (shared storage; version bump invalidates the prefix cache).
///
/// The engine runs the policy with fp32 activations and an fp32 KV cache, so its sampling
/// log-probabilities are π_old to within 1e-6 of what the trainer computes for the same weights:
/// no extra forward pass is spent on them.
public final class GRPOTrainer {
    public let config: GRPOConfig
    public let model: TrainableModel
    public let optimizer: AdamW
    /// Generates the rollouts with the trainer's live weights.
    public let llm: LLM
    public let prompts: [[Int32]]
    public let scorer: TaskScorer
    /// The model the engine runs: views of `model`'s buffers.
    let policy: TransformerModel
    /// π_ref for full fine-tuning with β > 0 (a frozen copy of the base); LoRA uses the base
    /// without adapters instead, at no extra memory.
    let reference: TrainableModel?
    private var order: DataOrder
    /// Prompts consumed so far.
    public private(set) var promptPosition = 0
    /// Draws dropout masks.
    public var rng: SplitMix64

    /// - Parameters:
    ///   - base: the model to train (its weights stay as loaded; LoRA adapters or master copies are made).
    ///   - prompts: token ids of every training prompt.
    ///   - engineConfig: engine limits; its KV precision is set to f32 and its seed to `config.seed`.
    public init(base: TransformerModel, prompts: [[Int32]], config: GRPOConfig, scorer: TaskScorer = .constant(),
                tokenizer: Tokenizer? = nil, speculative: SpeculativeConfig? = nil, draftModel: TransformerModel? = nil,
                engineConfig: EngineConfig = EngineConfig()) throws {
        try config.validate()
        guard !prompts.isEmpty else { throw GRPOError.invalidConfig(name: "prompts", value: "[]", expected: "at least one prompt") }
        try TrainableModel.checkSupported(base, mode: config.mode)
        self.config = config
        self.prompts = prompts
        self.scorer = scorer
        model = TrainableModel(base, mode: config.mode, seed: config.seed)
        optimizer = AdamW(layout: model.layout, config: config.optimizer)
        reference = config.loss.klBeta > 0 && config.mode == .full ? TrainableModel(base, mode: .full) : nil
        policy = model.makeLiveInferenceModel()
        var engine = engineConfig
        engine.kvPrecision = .f32
        engine.seed = config.seed
        engine.maxNumSeqs = max(engine.maxNumSeqs, config.promptsPerStep * config.groupSize)
        llm = try LLM(model: policy, tokenizer: tokenizer, speculative: speculative, draftModel: draftModel, config: engine)
        order = DataOrder(count: prompts.count, seed: config.seed)
        rng = SplitMix64(seed: config.seed ^ 0x6A09_E667)
    }

    /// Restores the prompt position and dropout generator of a checkpoint.
    public func resume(_ state: CheckpointState) {
        promptPosition = state.dataPosition
        rng = state.rng
        model.syncInference(policy)
    }

    /// Saves the trainable weights, optimizer moments, prompt position and generator.
    @discardableResult
    public func saveCheckpoint(to root: String) throws -> String {
        try Checkpoint.save(to: root, model: model, optimizer: optimizer, step: optimizer.step, dataPosition: promptPosition, rng: rng)
    }

    /// One batch of rollouts (the next `promptsPerStep` prompts of the seeded order, `groupSize`
    /// completions each) and `policyIterations` optimizer steps on it.
    public func step() throws -> GRPOStepReport {
        let indices = (0..<config.promptsPerStep).map { order.index(at: promptPosition + $0) }
        let report = try step(prompts: indices, groupSizes: Array(repeating: config.groupSize, count: indices.count))
        promptPosition += indices.count
        return report
    }

    /// One batch of rollouts of the given prompts, `groupSizes[b]` completions of prompt b, and
    /// `policyIterations` optimizer steps on it. Throws before any weight changes when a reward, a
    /// score or a rollout is invalid.
    public func step(prompts indices: [Int], groupSizes: [Int]) throws -> GRPOStepReport {
        precondition(!indices.isEmpty && indices.count == groupSizes.count, "one group size per prompt")
        let c = config
        let start = EngineClock.now
        // Sampling seeds follow the optimizer step, so a resumed run samples as an uninterrupted one.
        let seed = c.seed &+ UInt64(optimizer.step + 1) &* 0x9E37_79B9_7F4A_7C15
        let outputs = try Rollouts.generate(llm, prompts: indices.map { prompts[$0] }, groupSizes: groupSizes, config: c, seed: seed)
        let rolloutEnd = EngineClock.now

        let rollouts = try Rollouts.measure(outputs, promptIndices: indices, config: c.reward, scorer: scorer)
        let rewards = try InferenceReward.compute(rollouts.map(\.measurement), groupSizes: groupSizes, config: c.reward)
        let advantages = GroupAdvantages.compute(rewards.rewards, groupSizes: groupSizes, scaling: c.advantageScaling, epsilon: c.advantageEpsilon)
        let rewardEnd = EngineClock.now

        let policyPass = try optimize(rollouts, advantages: advantages.advantages)
        let syncStart = EngineClock.now
        model.syncInference(policy)
        let end = EngineClock.now

        var m = policyPass
        m["reward"] = mean(rewards.rewards)
        m["reward_std"] = mean(advantages.groupStds)
        m["frac_reward_zero_std"] = advantages.fractionZeroStd
        for (term, values) in rewards.contributions { m["rewards/\(term.rawValue)/mean"] = mean(values) }
        let measured = rollouts.map(\.measurement)
        m["task_score"] = mean(measured.map(\.taskScore))
        m["latency_ms"] = mean(measured.map(\.latencyMs))
        m["kv_mib"] = mean(measured.map(\.kvMiB))
        m["cache_reuse"] = mean(measured.map(\.cacheReuse))
        let lengths = rollouts.map { Double($0.completionTokens.count) }
        m["completions/mean_length"] = mean(lengths)
        m["completions/min_length"] = lengths.min() ?? 0
        m["completions/max_length"] = lengths.max() ?? 0
        m["completions/clipped_ratio"] = mean(rollouts.map { $0.finishReason == .length ? 1 : 0 })
        m["completions/empty"] = Double(rollouts.filter { $0.completionTokens.isEmpty }.count)
        // Pooled over the step (drafted and accepted tokens summed), as vLLM's engine-level metric.
        let drafted = rollouts.reduce(0) { $0 + $1.specDecode.draftedTokens }
        let accepted = rollouts.reduce(0) { $0 + $1.specDecode.acceptedTokens }
        let steps = rollouts.reduce(0) { $0 + $1.specDecode.verificationSteps }
        if drafted > 0 { m["accept_rate"] = Double(accepted) / Double(drafted) }
        if steps > 0 { m["mean_acceptance_length"] = 1 + Double(accepted) / Double(steps) }
        m["sync_ms"] = (end - syncStart) * 1000
        m["time/rollout_s"] = rolloutEnd - start
        m["time/reward_s"] = rewardEnd - rolloutEnd
        m["time/sync_s"] = end - syncStart
        m["step_time"] = end - start
        return GRPOStepReport(step: optimizer.step, rollouts: rollouts, rewards: rewards.rewards,
                              advantages: advantages.advantages, metrics: m)
    }

    /// Forward, loss and backward over micro-batches, then the optimizer, `policyIterations` times.
    private func optimize(_ rollouts: [Rollout], advantages: [Double]) throws -> [String: Double] {
        let c = config, mbs = c.microBatchSize
        let trained = rollouts.indices.filter { !rollouts[$0].completionTokens.isEmpty }
        let microBatches = stride(from: 0, to: trained.count, by: mbs).map { Array(trained[$0..<min(trained.count, $0 + mbs)]) }
        var microOf = [Int](repeating: -1, count: rollouts.count)
        for (k, mb) in microBatches.enumerated() { for i in mb { microOf[i] = k } }
        let weights = c.loss.tokenWeights(completionLengths: rollouts.map(\.completionTokens.count), microBatchOf: microOf,
                                          maxCompletionLength: c.maxNewTokens)
        let options = ForwardOptions(temperature: Float(c.temperature), recompute: c.recompute)
        func sequences(_ mb: [Int]) -> [[Int32]] { mb.map { rollouts[$0].promptTokens + rollouts[$0].completionTokens } }
        /// Row of completion token t of sequence s in a tape: row p scores token p + 1.
        func row(_ tape: TrainingTape, _ s: Int, _ i: Int, _ t: Int) -> Int { tape.ranges[s].lowerBound + rollouts[i].promptTokens.count - 1 + t }

        var backwardTime = 0.0, optimizerTime = 0.0
        var t0 = EngineClock.now
        // log π_ref of every completion token, once: the reference does not move.
        var refLogProbs = [[Double]](repeating: [], count: rollouts.count)
        if c.loss.klBeta > 0 {
            var scoring = ForwardOptions(temperature: Float(c.temperature), training: false)
            scoring.adapters = reference != nil
            var unused = SplitMix64(seed: 0)
            for mb in microBatches {
                let tape = try (reference ?? model).forward(sequences(mb), options: scoring, rng: &unused)
                for (s, i) in mb.enumerated() {
                    refLogProbs[i] = rollouts[i].completionTokens.indices.map { Double(tape.logProbs[row(tape, s, i, $0)]) }
                }
            }
        }

        var loss = 0.0, kl = 0.0, low = 0, high = 0, tokens = 0, maxDiff = 0.0, sumDiff = 0.0
        var report = AdamW.StepReport(gradientNorm: 0, learningRate: 0)
        for iteration in 0..<c.policyIterations {
            model.zeroGradients()
            for mb in microBatches {
                let tape = try model.forward(sequences(mb), options: options, rng: &rng)
                var g = [Float](repeating: 0, count: tape.logProbs.count)
                for (s, i) in mb.enumerated() {
                    let r = rollouts[i]
                    for t in r.completionTokens.indices {
                        let k = row(tape, s, i, t), logProb = Double(tape.logProbs[k])
                        let token = c.loss.token(logProb: logProb, oldLogProb: r.samplingLogProbs[t],
                                                 refLogProb: c.loss.klBeta > 0 ? refLogProbs[i][t] : nil, advantage: advantages[i])
                        g[k] = Float(weights[i] * token.gradient)
                        loss += weights[i] * token.loss
                        kl += token.kl
                        low += token.clippedLow ? 1 : 0
                        high += token.clippedHigh ? 1 : 0
                        tokens += 1
                        if iteration == 0 {
                            let d = abs(logProb - r.samplingLogProbs[t])
                            maxDiff = max(maxDiff, d)
                            sumDiff += d
                        }
                    }
                }
                model.backward(tape, logProbGradients: g)
            }
            let t1 = EngineClock.now
            backwardTime += t1 - t0
            report = optimizer.update(model.parameters, gradients: model.gradients)
            t0 = EngineClock.now
            optimizerTime += t0 - t1
        }
        let iterations = Double(c.policyIterations), n = Double(max(1, tokens))
        var m: [String: Double] = [
            "loss": loss / iterations,
            "clip_ratio/low_mean": Double(low) / n,
            "clip_ratio/high_mean": Double(high) / n,
            "clip_ratio/region_mean": Double(low + high) / n,
            "grad_norm": report.gradientNorm,
            "learning_rate": report.learningRate,
            "num_tokens": Double(tokens) / iterations,
            "time/backward_s": backwardTime,
            "time/optimizer_s": optimizerTime,
        ]
        if c.loss.klBeta > 0 { m["kl"] = kl / n }
        let first = Double(max(1, tokens / c.policyIterations))
        m["sampling/sampling_logp_difference/mean"] = sumDiff / first
        m["sampling/sampling_logp_difference/max"] = maxDiff
        return m
    }

    private func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
}
