import Curriculum
import Engine
import Foundation
import Tasks
import TestSupport
import Testing
import Tokenization
import Training
import Transformer

/// Issue F1, acceptance 2: train-math end to end on a tiny random model with the tiny byte-level
/// tokenizer of the tokenization tests: epochs with the curriculum, cluster reports, evaluations,
/// early stopping, the best checkpoint (reloaded, it scores what it scored), and resumption.
struct MathTrainingRunTests {
    static let questions = ["3 + 4", "10 - 3", "14 / 2", "1 + 6", "9 - 2", "21 / 3", "5 + 2", "8 - 1"].map { "What is \($0)?" }
    static let systemPrompt = "Answer."

    /// The toy task is made from the untrained model: each question's answer is the digit the model
    /// finds second most likely as its first token. Greedy answers therefore start wrong, sampled
    /// ones are often right, and a little learning flips greedy answers to right ones.
    static func problems(_ model: TransformerModel, _ tokenizer: Tokenizer) throws -> [MathProblem] {
        model.activationPrecision = .fp32
        let llm = try LLM(model: model, tokenizer: tokenizer, config: EngineConfig(kvPrecision: .f32))
        let prompt = MathPrompt(systemPrompt: systemPrompt, template: tokenizer.chatTemplate!)
        let probe = MathProblem(question: "", answer: "#### 0", finalAnswer: 0)
        return try questions.map { q in
            var p = probe
            p.question = q
            let out = try llm.generate([tokenizer.encode(prompt.render(p))], SamplingParams(temperature: 0, maxTokens: 1, logprobs: 20))
            let digits = out[0].outputs[0].topLogprobs[0].filter { (15...24).contains($0.token) }
            let answer = Int(digits[1].token) - 15
            return MathProblem(question: q, answer: "\(q) \(answer)\n#### \(answer)", finalAnswer: Decimal(answer))
        }
    }

    static func model() throws -> (TransformerModel, Tokenizer) {
        // The LM-head rows of the digit tokens (ids 15...24 of the tiny tokenizer) share a large
        // common part, so that the random model mostly writes a digit, each about equally often: a
        // rollout is right about one time in ten, enough signal for GRPO, while greedy answers
        // start wrong.
        let shape = TinyModels.Shape(vocab: 272, hidden: 16, intermediate: 32, contextLength: 256)
        let (dir, _) = try TinyModels.write(shape, seed: 3) { t in
            let C = shape.hidden, common = Array(t["lm_head.weight"]!.values[15 * C..<16 * C])
            for d in 15...24 {
                for i in 0..<C { t["lm_head.weight"]!.values[d * C + i] = 3 * common[i] + 0.3 * t["lm_head.weight"]!.values[d * C + i] }
            }
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TokenizationTests/Fixtures/tiny-tokenizer")
        for file in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent(file).path, toPath: dir + "/" + file)
        }
        return (try TransformerModel.load(path: dir), try Tokenizer(modelPath: dir))
    }

    static func config(epochs: Int) -> MathTrainingConfig {
        var c = MathTrainingConfig(mode: .lora(LoRAConfig(rank: 4)))
        c.maxTrainSamples = nil
        c.evalSamples = nil
        c.numEpochs = epochs
        c.earlyStopPatience = 3
        // One token per answer: several digits in a row would read as one multi-digit number.
        c.evalMaxNewTokens = 1
        c.grpo.maxNewTokens = 1
        c.grpo.temperature = 1
        c.grpo.optimizer.learningRate = 0.05
        c.scheduler = try! SchedulerConfig(emaDecay: 0.7, difficultySignal: .taskScore, batchSize: 2, warmUpEpochs: 1)
        c.correctnessOnly = true
        c.systemPrompt = systemPrompt
        c.seed = 5
        return c
    }

    static func run(_ config: MathTrainingConfig, directory: String) throws -> (MathTrainingRun, [String]) {
        let (model, tokenizer) = try model()
        let data = MathDataset(problems: try problems(try Self.model().0, tokenizer), source: "inline")
        var lines: [String] = []
        let run = try MathTrainingRun(model: model, tokenizer: tokenizer, train: data, test: data, config: config,
                                      speculative: .ngram(numSpeculativeTokens: 2),
                                      directory: try RunDirectory(path: directory, config: config), log: { lines.append($0) })
        try run.run()
        return (run, lines)
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("train-math-\(UUID().uuidString)").path
    }

    @Test func epochsCurriculumEarlyStopAndBestCheckpoint() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (run, lines) = try Self.run(Self.config(epochs: 8), directory: dir)
        let s = run.state
        print(lines.filter { $0.hasPrefix(">>>") || $0.hasPrefix("early") || $0.hasPrefix("done") }.joined(separator: "\n"))
        // One evaluation per epoch after the baseline, a cluster report per epoch.
        #expect(s.history.map(\.epoch) == Array(0...s.completedEpochs))
        for e in 1...s.completedEpochs { #expect(FileManager.default.fileExists(atPath: dir + "/reports/epoch-\(e).txt")) }
        #expect(lines.contains { $0.contains("cluster report") })
        // The best is the strict maximum, the first epoch that reached it.
        let bestCorrect = s.history.map(\.evaluation.correct).max()!
        #expect(s.bestEpoch == s.history.first { $0.evaluation.correct == bestCorrect }!.epoch)
        #expect(s.bestEpoch > 0, "the toy task must improve on the baseline: \(s.history.map(\.evaluation.correct))")
        // Early stopping: stopped before the last epoch iff `patience` evaluations brought no new best.
        if s.stoppedEarly {
            #expect(s.completedEpochs - s.bestEpoch == 3 && s.completedEpochs < 8)
        } else {
            #expect(s.completedEpochs == 8)
        }
        #expect(lines.last { $0.hasPrefix("baseline") }!.contains("at epoch \(s.bestEpoch)"))

        // The best checkpoint reloads and scores exactly what it scored.
        let (base, tokenizer) = try Self.model()
        let reloaded = try Checkpoint.loadModel(from: dir + "/best", base: base).makeLiveInferenceModel()
        let llm = try LLM(model: reloaded, tokenizer: tokenizer, speculative: .ngram(numSpeculativeTokens: 2),
                          config: EngineConfig(kvPrecision: .f32))
        let prompt = MathPrompt(systemPrompt: Self.systemPrompt, template: tokenizer.chatTemplate!)
        let e = try MathEvaluation.run(llm, prompts: run.evalProblems.map { tokenizer.encode(prompt.render($0)) }, problems: run.evalProblems,
                                       maxNewTokens: 1)
        #expect(e.perProblem == s.best!.evaluation.perProblem)
    }

    /// Two epochs, stopped after the first and resumed, end where an uninterrupted run ends.
    @Test func resumesAfterTheLastWholeEpoch() throws {
        let a = Self.temporaryDirectory(), b = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        _ = try Self.run(Self.config(epochs: 1), directory: a)
        let (resumed, lines) = try Self.run(Self.config(epochs: 2), directory: a)
        #expect(lines.contains { $0.hasPrefix("resumed from \(a) after epoch 1") })
        let (whole, _) = try Self.run(Self.config(epochs: 2), directory: b)
        // Equal but for the wall-clock seconds.
        #expect(resumed.state.history.map(\.evaluation.perProblem) == whole.state.history.map(\.evaluation.perProblem))
        #expect(resumed.state.history.map(\.step) == whole.state.history.map(\.step))
        #expect(resumed.trainer.optimizer.step == whole.trainer.optimizer.step)
        let count = whole.trainer.model.parameters.count
        #expect(Array(UnsafeBufferPointer(start: resumed.trainer.model.parameters.pointer, count: count))
                == Array(UnsafeBufferPointer(start: whole.trainer.model.parameters.pointer, count: count)))
    }
}
