import Engine
import Foundation
import TestSupport
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

    @Test func aRunIsReproducibleFromItsSeed() throws {
        func run() throws -> ([Double], [Float]) {
            let trainer = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: Self.config(steps: 3), scorer: .tokenFraction(3))
            let reports = try GRPORun.run(trainer, directory: nil, log: { _ in })
            return (reports.flatMap(\.rewards), Array(UnsafeBufferPointer(start: trainer.model.parameters.pointer, count: trainer.model.parameters.count)))
        }
        let (r1, p1) = try run(), (r2, p2) = try run()
        #expect(r1 == r2)
        #expect(p1 == p2)
    }

    /// π_old is the engine's sampling log-probability: on policy (μ = 1, no dropout) the trainer's
    /// log-probabilities of the sampled tokens must equal it, for the base and after updates.
    @Test(arguments: [TrainingMode.full, .lora(LoRAConfig(rank: 4))])
    func samplerLogProbsArePiOld(_ mode: TrainingMode) throws {
        let trainer = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: Self.config(mode, steps: 3), scorer: .tokenFraction(3))
        for report in try GRPORun.run(trainer, directory: nil, log: { _ in }) {
            #expect(report.metrics["sampling/sampling_logp_difference/max"]! < 1e-4)
            #expect(report.metrics["clip_ratio/region_mean"]! == 0)
        }
    }

    /// With β > 0 the KL to the reference is 0 before the first update (LoRA's B starts at zero;
    /// full fine-tuning's reference is a copy of the base) and positive after it.
    @Test(arguments: [TrainingMode.full, .lora(LoRAConfig(rank: 4))])
    func klToTheReference(_ mode: TrainingMode) throws {
        var config = Self.config(mode, steps: 3)
        config.loss.klBeta = 0.04
        let trainer = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: config, scorer: .tokenFraction(3))
        let reports = try GRPORun.run(trainer, directory: nil, log: { _ in })
        #expect(abs(reports[0].metrics["kl"]!) < 1e-6)
        #expect(reports[2].metrics["kl"]! > 1e-5)
    }

    /// μ = 2 takes two optimizer steps on one batch; the second sees ratios away from 1.
    @Test func policyIterationsReuseTheBatch() throws {
        var config = Self.config(steps: 2)
        config.policyIterations = 2
        let trainer = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: config, scorer: .tokenFraction(3))
        let report = try trainer.step()
        #expect(report.step == 2)
        #expect(trainer.promptPosition == 4)
    }

    static let badScores: [Double] = [1.5, -0.1, .nan]

    /// A score outside [0, 1] stops the step before anything changes: no optimizer step, no
    /// prompts consumed, no metrics line, the config intact.
    @Test(arguments: badScores)
    func anOutOfRangeScoreStopsTheStep(_ bad: Double) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grpo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scorer = TaskScorer(name: "bad") { input in input.promptIndex == 2 ? bad : 0.5 }
        let config = Self.config(steps: 3)
        let trainer = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: config, scorer: scorer)
        let run = try RunDirectory(path: dir, config: config)
        #expect(throws: GRPOError.self) { try GRPORun.run(trainer, directory: run, log: { _ in }) }
        #expect(trainer.optimizer.step == 0 && trainer.promptPosition == 0)
        #expect(!FileManager.default.fileExists(atPath: run.metricsFile))
        let saved = try JSONDecoder().decode(GRPOConfig.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json")))
        #expect(saved == config)
    }

    /// The run directory: the resolved config, one metrics line per step with TRL's names, a
    /// checkpoint, and a second call that resumes where the first stopped.
    @Test func runDirectoryAndResume() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grpo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = Self.config(.lora(LoRAConfig(rank: 4)), steps: 2)
        let first = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: config, scorer: .tokenFraction(3))
        try GRPORun.run(first, directory: try RunDirectory(path: dir, config: config), log: { _ in })
        config.steps = 3
        let second = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: config, scorer: .tokenFraction(3))
        var lines: [String] = []
        let reports = try GRPORun.run(second, directory: try RunDirectory(path: dir, config: config), log: { lines.append($0) })
        #expect(lines.first == "resumed from \(dir)/checkpoints at step 2")
        #expect(reports.map(\.step) == [3])
        #expect(second.promptPosition == 12)
        // The same three steps without the interruption end with the same weights.
        let whole = try GRPOTrainer(base: try Self.model(), prompts: Self.prompts, config: config, scorer: .tokenFraction(3))
        try GRPORun.run(whole, directory: nil, log: { _ in })
        let n = whole.model.parameters.count
        #expect(Array(UnsafeBufferPointer(start: whole.model.parameters.pointer, count: n))
                == Array(UnsafeBufferPointer(start: second.model.parameters.pointer, count: n)))

        let text = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8)
        let records = text.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["step"] as! Int } == [1, 2, 3])
        let names = ["loss", "reward", "reward_std", "rewards/task/mean", "rewards/latency/mean", "frac_reward_zero_std",
                     "completions/mean_length", "completions/clipped_ratio", "clip_ratio/region_mean", "learning_rate", "step_time",
                     "latency_ms", "kv_mib", "cache_reuse", "sync_ms", "time/rollout_s", "time/reward_s", "time/backward_s",
                     "time/optimizer_s", "time/sync_s"]
        for name in names { #expect(records[2][name] != nil, "\(name)") }
    }
}
