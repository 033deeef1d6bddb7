import Engine
import Foundation
import Testing
@testable import Training
import Transformer

/// GRPO end to end on tiny random models: the task score rises, the run is reproducible from its
/// seed, the engine's sampling log-probabilities are π_old, and bad scores stop a step cleanly.
struct GRPOTrainerTests {
    static let prompts: [[Int32]] = [[1, 2], [3, 4, 5], [6, 7], [8, 9, 10]]
    /// Only the task term: the toy tasks isolate what the trainer learns from it.
    static let taskOnly = RewardWeights(latency: 0, length: 0, kvMemory: 0, acceptRate: 0, cacheReuse: 0)

    static func config(_ mode: TrainingMode = .full, lr: Double = 0.02, steps: Int = 20) -> GRPOConfig {
        var c = GRPOConfig(mode: mode, learningRate: lr)
        c.promptsPerStep = 4
        c.groupSize = 8
        c.temperature = 1
        c.maxNewTokens = 8
        c.microBatchSize = 16
        c.steps = steps
        c.seed = 11
        c.reward.weights = taskOnly
        return c
    }

    static func model(seed: UInt64 = 5) throws -> TransformerModel {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(hidden: 16, intermediate: 24), seed: seed)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try TransformerModel.load(path: dir)
    }

    /// Mean score of 16 sampled completions per prompt under fixed seeds.
    static func evaluate(_ trainer: GRPOTrainer, _ score: (CompletionOutput) -> Double) throws -> Double {
        let params = prompts.indices.map { SamplingParams(temperature: 1, maxTokens: 8, seed: 1000 + UInt64($0), n: 16) }
        let outputs = try trainer.llm.generate(prompts, params)
        let scores = outputs.flatMap { $0.outputs.map(score) }
        return scores.reduce(0, +) / Double(scores.count)
    }

    @Test(arguments: [TrainingMode.full, .lora(LoRAConfig(rank: 4))])
    func aToyScoreRises(_ mode: TrainingMode) throws {
        let trainer = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts,
                                      config: Self.config(mode, lr: mode == .full ? 0.02 : 0.05), scorer: .tokenFraction(3))
        let fraction: (CompletionOutput) -> Double = { c in Double(c.tokenIds.filter { $0 == 3 }.count) / Double(c.tokenIds.count) }
        let before = try Self.evaluate(trainer, fraction)
        try GRPORun.run(trainer, directory: nil, log: { _ in })
        let after = try Self.evaluate(trainer, fraction)
        print("GRPO toy task (\(mode == .full ? "full" : "LoRA")): fraction of token 3 \(before) → \(after) in 20 steps")
        #expect(after - before >= 0.3, "before \(before), after \(after)")
    }
}
