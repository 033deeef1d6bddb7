import Engine
import Foundation
import TestSupport
import Testing
@testable import Training
import Transformer

/// Issue G1, acceptance 3: the inference terms of the reward move what they measure. Same tiny
/// target, draft, prompts, seed and number of steps; the task score is constant (1), every other
/// weight is 0, and only the weight under test differs from its control. Measured after training
/// on 64 sampled completions (16 per prompt, fixed seeds). `scripts/inference-signal.sh` prints
/// the table reported in the README.
struct InferenceSignalTests {
    static let prompts = GRPOTrainerTests.prompts
    static let steps = 60

    static func config(_ weights: RewardWeights, stopToken: Int32? = nil) -> GRPOConfig {
        var c = GRPOTrainerTests.config(.full, lr: 0.02, steps: steps)
        c.reward.weights = weights
        c.stopTokenIds = stopToken.map { [$0] } ?? []
        c.maxNewTokens = 16
        return c
    }

    static func trainer(_ config: GRPOConfig) throws -> GRPOTrainer {
        let (draftDir, _) = try TinyModels.write(TinyModels.Shape(hidden: 16, intermediate: 24), seed: 6)
        defer { try? FileManager.default.removeItem(atPath: draftDir) }
        let draft = try TransformerModel.load(path: draftDir)
        return try GRPOTrainer(base: try GRPOTrainerTests.model(), prompts: prompts, config: config, scorer: .constant(),
                               speculative: .draftModel(path: draftDir, numSpeculativeTokens: 3), draftModel: draft)
    }

    /// Trains, then samples 16 completions per prompt: (pooled accept rate, mean length).
    static func trainAndMeasure(_ config: GRPOConfig) throws -> (accept: Double, length: Double) {
        let t = try trainer(config)
        try GRPORun.run(t, directory: nil, log: { _ in })
        let params = prompts.indices.map {
            SamplingParams(temperature: 1, maxTokens: config.maxNewTokens, stopTokenIds: config.stopTokenIds, seed: 2000 + UInt64($0), n: 16)
        }
        let outputs = try t.llm.generate(prompts, params)
        let completions = outputs.flatMap(\.outputs)
        let drafted = completions.reduce(0) { $0 + $1.stats.specDecode.draftedTokens }
        let accepted = completions.reduce(0) { $0 + $1.stats.specDecode.acceptedTokens }
        let length = Double(completions.reduce(0) { $0 + $1.tokenIds.count }) / Double(completions.count)
        return (Double(accepted) / Double(drafted), length)
    }

    @Test func acceptRateBonusRaisesTheAcceptRate() throws {
        let control = try Self.trainAndMeasure(Self.config(RewardWeights(latency: 0, length: 0, kvMemory: 0, acceptRate: 0, cacheReuse: 0)))
        let treated = try Self.trainAndMeasure(Self.config(RewardWeights(latency: 0, length: 0, kvMemory: 0, acceptRate: 1, cacheReuse: 0)))
        print(String(format: "inference signal | δ = 0: accept rate %.3f | δ = 1.0: accept rate %.3f | %d steps, seed 11", control.accept, treated.accept, Self.steps))
        #expect(treated.accept > control.accept + 0.1)
    }

    @Test func lengthPenaltyShortensCompletions() throws {
        let control = try Self.trainAndMeasure(Self.config(RewardWeights(latency: 0, length: 0, kvMemory: 0, acceptRate: 0, cacheReuse: 0), stopToken: 0))
        let treated = try Self.trainAndMeasure(Self.config(RewardWeights(latency: 0, length: 0.001, kvMemory: 0, acceptRate: 0, cacheReuse: 0), stopToken: 0))
        print(String(format: "inference signal | β = 0: mean length %.2f tokens | β = 0.001: mean length %.2f tokens | %d steps, seed 11", control.length, treated.length, Self.steps))
        #expect(treated.length < control.length - 1)
    }
}
