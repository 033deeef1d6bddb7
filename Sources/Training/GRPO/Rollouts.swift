import Engine
import Foundation

/// One sampled completion of a rollout batch, with what training and the reward need of it.
public struct Rollout: Sendable {
    /// Index of the prompt in the run's prompt list.
    public var promptIndex: Int
    public var promptTokens: [Int32]
    /// The generated token ids, the stop token included (so the decision to stop is trained).
    public var completionTokens: [Int32]
    /// (completion) log π_old of each token: the engine's sampling log-probability.
    public var samplingLogProbs: [Double]
    public var text: String
    public var finishReason: FinishReason
    public var specDecode: SpecDecodeStats
    public var measurement: CompletionMeasurement
}

/// Rollout collection: B prompts × G completions in one `generate` call, then the score and the
/// measurements of every completion.
public enum Rollouts {
    /// Samples `groupSizes[b]` completions of each prompt b, all in one `generate` call.
    /// - Parameters:
    ///   - prompts: (B) token ids.
    ///   - seed: the request of prompt b samples with seed `seed + b`.
    public static func generate(_ llm: LLM, prompts: [[Int32]], groupSizes: [Int], config: GRPOConfig, seed: UInt64) throws -> [RequestOutput] {
        precondition(groupSizes.count == prompts.count)
        let params = prompts.indices.map { b in
            SamplingParams(temperature: config.temperature, maxTokens: config.maxNewTokens, stopTokenIds: config.stopTokenIds,
                           seed: seed &+ UInt64(b), n: groupSizes[b])
        }
        let outputs = try llm.generate(prompts, params)
        _ = llm.specDecodeStats()  // pop-on-read: the outputs carry the same stats
        for (b, request) in outputs.enumerated() {
            if let reason = request.stats.abortReason { throw GRPOError.rolloutAborted(prompt: b, reason: reason) }
        }
        return outputs
    }

    /// Scores and measures every completion of `outputs`.
    /// - Parameter promptIndices: (B) the prompts' indices in the run's prompt list.
    /// - Returns: the rollouts, group after group.
    public static func measure(_ outputs: [RequestOutput], promptIndices: [Int], config: RewardConfig, scorer: TaskScorer) throws -> [Rollout] {
        var rollouts: [Rollout] = []
        for (b, request) in outputs.enumerated() {
            for c in request.outputs {
                let k = rollouts.count
                let input = ScoringInput(promptIndex: promptIndices[b], promptTokens: request.promptTokenIds,
                                         completionTokens: c.tokenIds, text: c.text)
                let task = try scorer.score(input)
                guard task >= 0 && task <= 1 else { throw GRPOError.taskScoreOutOfRange(scorer: scorer.name, completion: k, value: task) }
                let m = CompletionMeasurement(taskScore: task, latencyMs: latencyMs(c, request, config.latency),
                                              generatedTokens: c.tokenIds.count, kvMiB: kvMiB(c, config.kvMemory),
                                              acceptRate: c.stats.specDecode.acceptRate,
                                              cacheReuse: Double(request.numCachedTokens) / Double(request.promptTokenIds.count))
                rollouts.append(Rollout(promptIndex: promptIndices[b], promptTokens: request.promptTokenIds, completionTokens: c.tokenIds,
                                        samplingLogProbs: c.logprobs, text: c.text, finishReason: c.finishReason,
                                        specDecode: c.stats.specDecode, measurement: m))
            }
        }
        return rollouts
    }

    static func latencyMs(_ c: CompletionOutput, _ r: RequestOutput, _ measure: LatencyMeasure) -> Double {
        guard !c.tokenIds.isEmpty else { return 0 }
        switch measure {
        case .wallClock:
            return ((c.stats.lastTokenTime ?? r.metrics.queuedTime) - r.metrics.queuedTime) * 1000
        case .targetPasses(let ms):
            // The prefill pass gives the first token; every later pass that emitted tokens for
            // this completion is one decode or verification step.
            return Double(1 + c.stats.decodeSteps) * ms
        }
    }

    static func kvMiB(_ c: CompletionOutput, _ measure: KVMemoryMeasure) -> Double {
        let bytes = measure == .estimate ? c.stats.kvEstimateBytes : c.stats.kvPeakBytes
        return Double(bytes) / 1_048_576
    }
}
